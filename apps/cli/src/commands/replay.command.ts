import { ReplayProgress as EngineProgress, ReplayRequest, ReplayRequestError, ReplayRun, progressOf } from '@waymark/replay';
import { ReplayProgress, WaymarkClient } from '@waymark/sdk';
import { CliCommand, CliIo, EXIT, UsageError } from '../cli-command';
import { openKafkaLog } from '../kafka-data';
import { ProgressLine, renderProgress } from '../progress-bar';
import { LocalReplayEngine, openEmbeddedReplayEngine, openKafkaReplayEngine } from '../replay-engines';

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
 * drives the admin endpoints (the service owns chDB and the live projector). Otherwise
 * it runs here through the replay port: the embedded engine on a stopped service's data
 * (--data-dir), or the Kafka engine beside the running projectors (KAFKA_BROKERS set).
 * Ctrl-C interrupts; --resume continues an interrupted replay.
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
    if (values['data-dir']) return runHere(await openEmbeddedReplayEngine(values['data-dir'] as string), request, values, io, line);
    const kafka = values.url === undefined ? openKafkaLog(undefined, io) : undefined;
    if (kafka) {
      try {
        return await runHere(openKafkaReplayEngine(kafka, io), request, values, io, line);
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

/**
 * Runs the replay in this process through the replay port: the embedded engine on a
 * stopped service's data, or the Kafka engine beside the running projectors. Ctrl-C
 * interrupts the run after its batch in hand (resumable).
 */
async function runHere(
  local: LocalReplayEngine,
  request: ReplayRequest,
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
  line: ProgressLine,
): Promise<number> {
  const { engine } = local;
  try {
    const resume = values.resume as string | undefined;
    if (values['dry-run'] || !resume) {
      io.out((await planned(local, request)).description);
      if (values['dry-run']) return EXIT.ok;
    }
    await local.beforeStart();
    const stopDrawing = engine.onProgress((run) => line.update(renderProgress(progressOf(run, Date.now()))));
    try {
      const id = resume ? (await engine.resume(resume)).id : (await engine.start(request)).run.id;
      let interrupted = false;
      io.onInterrupt?.(() => {
        interrupted = true;
        void engine.shutdown();
      });
      const run = (await engine.wait(id)) as ReplayRun;
      return finish(progressOf(run, Date.now()), io, line, interrupted, engine.kind === 'kafka' ? run : undefined);
    } finally {
      stopDrawing();
    }
  } finally {
    await engine.shutdown();
    await local.close();
  }
}

async function planned(local: LocalReplayEngine, request: ReplayRequest) {
  try {
    return await local.engine.plan(request);
  } catch (error) {
    if (error instanceof ReplayRequestError) throw new UsageError(`--from: ${error.message}`);
    throw error;
  }
}

/**
 * The run's end, as one line on the progress output and one on `out` (completed) or
 * `err`. `scanned` is the run of an engine that reads records out of its scope too (a
 * Kafka topic): its counts tell those written from those scanned.
 */
function finish(progress: EngineProgress | ReplayProgress, io: CliIo, line: ProgressLine, interrupted: boolean, scanned?: ReplayRun): number {
  const malformed = (skipped: number) => (skipped ? `, ${skipped} skipped as malformed` : '');
  const number = (n: number) => n.toLocaleString('en-US');
  const counts = scanned && `${number(scanned.replayed)} events written of ${number(scanned.processed)} records scanned${malformed(scanned.skipped)}`;
  const resumeWith = `continue with: waymark replay --resume ${progress.id}`;
  line.finish(counts ?? renderProgress(progress));
  if (progress.status === 'completed') {
    const replayed = counts ? '' : `: ${progress.processed} events replayed${malformed(progress.skipped)}`;
    io.out(`replay ${progress.id} completed${replayed}; the new read model is live`);
    return EXIT.ok;
  }
  if (progress.status === 'interrupted') {
    const why = progress.error ? ` (${progress.error})` : '';
    io.err(`replay ${progress.id} ${interrupted ? 'interrupted' : 'stopped'} at position ${progress.reached ?? '-'}${why}; ${resumeWith}`);
    return EXIT.failed;
  }
  // A failed run from Kafka can be resumed once its cause is fixed; an embedded one is started again.
  io.err(`replay ${progress.id} failed: ${progress.error ?? 'unknown error'}${scanned ? `; once the cause is fixed, ${resumeWith}` : ''}`);
  return EXIT.failed;
}
