import { Logger } from '@nestjs/common';
import { createUuidV7Generator } from '@waymark/domain';
import { KafkaEventLog } from '@waymark/event-log';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { READ_MODEL_GROUP } from '@waymark/projection';
import {
  KafkaReplay,
  KafkaReplayJournal,
  KafkaReplayRecord,
  ReplayJournal,
  ReplayRequest,
  ReplayRunner,
  describePlan,
  parseKafkaPositions,
} from '@waymark/replay';
import { ReplayProgress, WaymarkClient } from '@waymark/sdk';
import { CliCommand, CliIo, EXIT, UsageError } from '../cli-command';
import { openEmbeddedStores } from '../embedded-stores';
import { openKafkaLog } from '../kafka-data';
import { ProgressLine, renderProgress } from '../progress-bar';

const POLL_MS = 500;

function parseFrom(value: string | undefined): ReplayRequest['start'] {
  if (value === undefined || value === 'beginning') return { kind: 'beginning' };
  const position = /^position:(.+)$/.exec(value);
  if (position) return { kind: 'position', position: position[1] };
  const at = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && Number.isFinite(at)) return { kind: 'time', at };
  throw new UsageError(`--from: use "beginning", an ISO-8601 time, or "position:<n>", not "${value}"`);
}

/**
 * `waymark replay`: rebuild the read model from the log. Against a running service it
 * drives the admin endpoints (the service owns chDB and the live projector); with
 * --data-dir it runs here, on a stopped service's data. Ctrl-C interrupts; --resume
 * continues an interrupted replay.
 */
export const replayCommand: CliCommand = {
  name: 'replay',
  summary: 'Rebuild the read model from the event log (shadow tables, atomic swap).',
  usage: `waymark replay [--from beginning|<ISO time>|position:<position>] [--product P [--tag T]] [--dry-run]
               [--resume ID] [--url URL --key KEY | --data-dir DIR]

Against a running service (--url, default $WAYMARK_URL or http://localhost:3000; --key or
$WAYMARK_API_KEY, an admin key). With --data-dir, runs on the data of a STOPPED embedded
service instead (chDB's data directory can be open in one process at a time).
--dry-run prints the plan (how many events, from where) and changes nothing.
Ctrl-C interrupts after the batch in hand; run again with --resume ID to continue.
A run cut short during the swap (crash, ClickHouse gone) is finished the same way.

Positions: the embedded log's are numbers (position:1200); Kafka's name partitions
and offsets (position:0:120,3:4000; partitions not named are replayed whole).

Distributed mode (KAFKA_BROKERS and CLICKHOUSE_URL set, no --url or --data-dir): runs
here, reading the Kafka event topic into shadow tables on the ClickHouse server while
the projectors keep running, swaps them in, then projects what arrived meanwhile. A
start by time keeps the events whose own time is at or after it (the topic is scanned
whole). Ctrl-C before the swap leaves the live tables as they were; --resume ID
continues the run (its state is in ClickHouse's replay_runs table).`,
  options: {
    from: { type: 'string' },
    product: { type: 'string' },
    tag: { type: 'string' },
    'dry-run': { type: 'boolean' },
    resume: { type: 'string' },
    url: { type: 'string' },
    key: { type: 'string' },
    'data-dir': { type: 'string' },
  },
  async run(values, _positionals, io) {
    if (values.tag !== undefined && values.product === undefined) throw new UsageError('--tag goes with --product');
    const request: ReplayRequest = {
      start: parseFrom(values.from as string | undefined),
      product: values.product as string | undefined,
      tag: values.tag as string | undefined,
    };
    const line = new ProgressLine(io.progress ?? io.err, io.isTty ?? false);
    if (values['data-dir']) return runLocally(values['data-dir'] as string, request, values, io, line);
    const kafka = values.url === undefined ? openKafkaLog(undefined, io) : undefined;
    if (kafka) {
      try {
        return await runOnKafka(kafka, request, values, io, line);
      } finally {
        await kafka.close();
      }
    }
    return runRemotely(request, values, io, line);
  },
};

async function runRemotely(request: ReplayRequest, values: Record<string, string | boolean | undefined>, io: CliIo, line: ProgressLine): Promise<number> {
  const apiKey = (values.key as string | undefined) ?? io.env.WAYMARK_API_KEY;
  if (!apiKey) throw new UsageError('--key or WAYMARK_API_KEY is required (an admin key), or --data-dir for a stopped service');
  const client = new WaymarkClient({ baseUrl: (values.url as string | undefined) ?? io.env.WAYMARK_URL ?? 'http://localhost:3000', apiKey, timeoutMs: 60_000 });
  const from = values.from as string | undefined;
  let id = values.resume as string | undefined;
  if (id) {
    await client.replays.resume(id);
  } else {
    const started = await client.replays.start({ from, product: request.product, tag: request.tag, dryRun: Boolean(values['dry-run']) });
    io.out(started.description);
    if (started.dryRun || !started.id) return EXIT.ok;
    id = started.id;
    io.err(`replay ${id} started`);
  }
  const replayId = id;
  let interrupted = false;
  io.onInterrupt?.(() => {
    interrupted = true;
    void client.replays.cancel(replayId);
  });
  for (;;) {
    const progress = await client.replays.get(replayId);
    line.update(renderProgress(progress));
    if (progress.status !== 'running') return finish(progress, io, line, interrupted);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function runLocally(
  dataDir: string,
  request: ReplayRequest,
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
  line: ProgressLine,
): Promise<number> {
  const stores = await openEmbeddedStores(dataDir, { whenBusy: 'if the service is running, use --url instead of --data-dir' });
  try {
    const runner = new ReplayRunner(stores.eventLog, stores.clickhouse, new ReplayJournal(stores.db), new Logger('replay'), {
      batchSize: 10_000,
      newId: createUuidV7Generator(),
      now: Date.now,
    });
    if (values['dry-run']) {
      io.out(describePlan(await runner.plan(request)));
      return EXIT.ok;
    }
    runner.markStaleRunsInterrupted();
    const record = values.resume ? await runner.resume(values.resume as string) : await runner.start(request);
    if (!values.resume) io.out(describePlan(record.plan));
    let interrupted = false;
    io.onInterrupt?.(() => {
      interrupted = true;
      runner.cancel(record.id);
    });
    const ticker = setInterval(() => {
      const progress = runner.progress(record.id);
      if (progress) line.update(renderProgress(progress));
    }, POLL_MS);
    await runner.wait(record.id);
    clearInterval(ticker);
    return finish(runner.progress(record.id) as ReplayProgress, io, line, interrupted);
  } finally {
    await stores.close();
  }
}

async function runOnKafka(
  kafka: KafkaEventLog,
  request: ReplayRequest,
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
  line: ProgressLine,
): Promise<number> {
  if (request.start.kind === 'position') {
    try {
      parseKafkaPositions(request.start.position);
    } catch (error) {
      throw new UsageError(`--from: ${(error as Error).message}`);
    }
  }
  const clickhouseUrl = io.env.CLICKHOUSE_URL;
  if (!clickhouseUrl) throw new UsageError('CLICKHOUSE_URL is required for a replay from Kafka');
  const clickhouse = createReadModelClient({ kind: 'server', url: clickhouseUrl });
  const stop = new AbortController();
  io.onInterrupt?.(() => stop.abort());
  const started = Date.now();
  let processedAtStart: number | undefined;
  try {
    const replay = new KafkaReplay(kafka, clickhouse, new KafkaReplayJournal(clickhouse), new Logger('replay'), {
      batchSize: 10_000,
      newId: createUuidV7Generator(),
      now: Date.now,
      projectorGroup: READ_MODEL_GROUP,
      signal: stop.signal,
      onProgress: (progress) => {
        processedAtStart ??= progress.processed;
        const seconds = (Date.now() - started) / 1000;
        const rate = Math.round((progress.processed - processedAtStart) / Math.max(seconds, 0.001));
        const left = progress.planned - progress.processed;
        line.update(
          renderProgress({
            processed: progress.processed,
            total: progress.planned,
            eventsPerSecond: rate,
            etaSeconds: rate > 0 ? Math.ceil(left / rate) : undefined,
            phase: progress.phase,
          }),
        );
      },
    });
    if (values['dry-run']) {
      io.out((await replay.plan(request)).description);
      return EXIT.ok;
    }
    await migrateReadModel(clickhouse);
    let record: KafkaReplayRecord;
    if (values.resume) {
      record = await replay.resume(values.resume as string);
    } else {
      const plan = await replay.plan(request);
      io.out(plan.description);
      record = await replay.start(request);
    }
    const counts = `${record.replayed.toLocaleString('en-US')} events written of ${record.processed.toLocaleString('en-US')} records scanned${record.skipped ? `, ${record.skipped} skipped as malformed` : ''}`;
    if (record.status === 'interrupted') {
      line.finish(`interrupted: ${counts}; the live read model is unchanged`);
      io.err(`replay ${record.id} interrupted; continue with: waymark replay --resume ${record.id}`);
      return EXIT.failed;
    }
    if (record.status === 'failed') {
      line.finish(`failed: ${counts}`);
      io.err(`replay ${record.id} failed: ${record.error ?? 'unknown error'}; once the cause is fixed, continue with: waymark replay --resume ${record.id}`);
      return EXIT.failed;
    }
    line.finish(counts);
    io.out(`replay ${record.id} completed; the new read model is live`);
    return EXIT.ok;
  } finally {
    await clickhouse.close();
  }
}

function finish(progress: ReplayProgress, io: CliIo, line: ProgressLine, interrupted: boolean): number {
  line.finish(renderProgress(progress));
  if (progress.status === 'completed') {
    io.out(
      `replay ${progress.id} completed: ${progress.processed} events replayed${progress.skipped ? `, ${progress.skipped} skipped as malformed` : ''}; the new read model is live`,
    );
    return EXIT.ok;
  }
  if (progress.status === 'interrupted') {
    io.err(
      `replay ${progress.id} ${interrupted ? 'interrupted' : 'stopped'} at position ${progress.reached ?? '-'}${progress.error ? ` (${progress.error})` : ''}; continue with: waymark replay --resume ${progress.id}`,
    );
    return EXIT.failed;
  }
  io.err(`replay ${progress.id} failed: ${progress.error ?? 'unknown error'}`);
  return EXIT.failed;
}
