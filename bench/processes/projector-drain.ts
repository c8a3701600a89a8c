import { PinoLoggerService, createPinoLogger } from '@waymark/logging';
import { EventsProjection, Projector } from '@waymark/projection';
import { loadApiConfig } from '../../apps/api/src/config/api.config';
import { fillEmbeddedStore } from '../support/filled-store';
import { runAsChild, sendAndFlush } from '../support/child-process';

/**
 * The projector benchmark's own process: appends BENCH_EVENTS events to a fresh
 * embedded log through SqliteEventLog.append (large groups, as a busy API's group
 * commits would), then times a Projector, configured as the API configures it, draining
 * them into chDB. Reports over IPC; the runner measures the data directory afterwards.
 */
async function main(): Promise<void> {
  const total = Number(process.env.BENCH_EVENTS);
  const dataDir = String(process.env.BENCH_DATA_DIR);
  const send = (message: Record<string, unknown>) => process.send?.(message);

  const store = await fillEmbeddedStore(dataDir, total, (done) => send({ type: 'progress', phase: 'append', done, total }));
  const { log, clickhouse: client, appendMs } = store;
  // The API's own settings: its batch size (PROJECTOR_BATCH_SIZE, read and checked the
  // way the API reads it, default 10,000) and the options AppModule passes.
  const { projectorBatchSize } = loadApiConfig({ PROJECTOR_BATCH_SIZE: process.env.PROJECTOR_BATCH_SIZE });
  // Decoding with the codec the log stored with, as the service does (older code ignores it).
  const projection = new (EventsProjection as unknown as new (...args: unknown[]) => EventsProjection)(client, 'events', store.codec);
  const projector = new Projector(log.openConsumer('read-model'), projection, new PinoLoggerService(createPinoLogger('warn')), {
    group: 'read-model',
    maxBatch: projectorBatchSize,
    maxWaitMs: 500,
    retryBaseMs: 200,
    retryMaxMs: 10_000,
  });

  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const cpuBefore = process.cpuUsage();
  const projectStarted = performance.now();
  projector.start();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const done = projector.stats.projected + projector.stats.deadLettered;
      send({ type: 'progress', phase: 'project', done, total });
      if (done >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
  });
  const projectMs = performance.now() - projectStarted;
  const toUs = Number(process.hrtime.bigint() / 1000n);
  // All threads of the process (chDB's included): CPU per event, steadier than events/s on a shared machine.
  const cpu = process.cpuUsage(cpuBefore);
  await projector.stop();

  const count = await client.query({ query: 'SELECT count() AS rows, uniqExact(event_id) AS unique FROM events', format: 'JSONEachRow' });
  const [rows] = await count.json<{ rows: string; unique: string }>();
  await store.close();
  await sendAndFlush({
    type: 'result',
    total,
    batchSize: projectorBatchSize,
    appendMs,
    projectMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    stats: projector.stats,
    rows: Number(rows.rows),
    unique: Number(rows.unique),
    window: { fromUs, toUs },
  });
}

runAsChild(main);
