import { PinoLoggerService, createPinoLogger } from '@waymark/logging';
import { ReplayJournal, ReplayRunner } from '@waymark/replay';
import { createUuidV7Generator } from '@waymark/domain';
import { fillEmbeddedStore } from '../support/filled-store';
import { runAsChild, sendAndFlush } from '../support/child-process';

/**
 * The replay benchmark's own process: appends BENCH_EVENTS events to a fresh embedded
 * log, then times `waymark replay` from the beginning as the CLI runs it on a stopped
 * service: shadow tables, every batch, the derived tables, the swap.
 */
async function main(): Promise<void> {
  const total = Number(process.env.BENCH_EVENTS);
  const dataDir = String(process.env.BENCH_DATA_DIR);
  const send = (message: Record<string, unknown>) => process.send?.(message);

  const store = await fillEmbeddedStore(dataDir, total, (done) => send({ type: 'progress', phase: 'append', done, total }));
  const { db, log, clickhouse: client } = store;

  const batchSize = Number(process.env.PROJECTOR_BATCH_SIZE ?? 10_000);
  const runner = new ReplayRunner(log, client, new ReplayJournal(db), new PinoLoggerService(createPinoLogger('warn')), {
    batchSize,
    newId: createUuidV7Generator(),
    now: Date.now,
    // Decoding with the codec the log stored with, as the service does (older code ignores it).
    ...({ codec: store.codec } as object),
  });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const record = await runner.start({ start: { kind: 'beginning' } });
  const ticker = setInterval(() => send({ type: 'progress', phase: 'replay', done: runner.progress(record.id)?.processed ?? 0, total }), 250);
  const finished = await runner.wait(record.id);
  clearInterval(ticker);
  const replayMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const count = await client.query({ query: 'SELECT count() AS rows, uniqExact(event_id) AS unique FROM events', format: 'JSONEachRow' });
  const [rows] = await count.json<{ rows: string; unique: string }>();
  await store.close();
  await sendAndFlush({
    type: 'result',
    total,
    batchSize,
    status: finished?.status,
    processed: finished?.processed,
    replayMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rows: Number(rows.rows),
    unique: Number(rows.unique),
  });
}

runAsChild(main);
