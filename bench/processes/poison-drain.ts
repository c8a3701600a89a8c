import { SessionStarted } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { PinoLoggerService, createPinoLogger } from '@waymark/logging';
import { EventsProjection, Projector } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { GroupCommitWriter, openEmbeddedDatabase } from '@waymark/sqlite';
import { join } from 'node:path';
import { loadApiConfig } from '../../apps/api/src/config/api.config';
import { runAsChild, sendAndFlush } from '../support/child-process';
import { poisonEvent } from '../support/poison-events';
import { appendSyntheticLog } from '../support/synthetic-events';

/**
 * The poison benchmark's drain process: like projector-drain.ts (BENCH_EVENTS synthetic
 * session starts appended to a fresh embedded log, then a Projector with the API's
 * settings drains them into chDB and is timed), except that every BENCH_POISON_EVERY-th
 * event (0: none) is replaced by one ClickHouse refuses, so that the projector has to
 * bisect its batch. Reports the projector's stats and the rows ClickHouse holds.
 */
async function main(): Promise<void> {
  const total = Number(process.env.BENCH_EVENTS);
  const every = Number(process.env.BENCH_POISON_EVERY ?? 0);
  const dataDir = String(process.env.BENCH_DATA_DIR);
  const send = (message: Record<string, unknown>) => process.send?.(message);

  let index = 0;
  // Placed mid-group rather than first or last, so the bisection has to work for it.
  const poisoned = (event: SessionStarted): SessionStarted => (every > 0 && index++ % every === Math.floor(every / 2) ? poisonEvent(event) : event);
  // As fillEmbeddedStore (the projector benchmark's store: 100,000 users), with the poison slipped in.
  const db = openEmbeddedDatabase(join(dataDir, 'waymark.db'));
  const writer = new GroupCommitWriter(db);
  const log = new SqliteEventLog(db, writer);
  const poisoningLog = { append: (events: readonly SessionStarted[]) => log.append(events.map(poisoned)) };
  const appendMs = await appendSyntheticLog(poisoningLog, total, 100_000, (done) => send({ type: 'progress', phase: 'append', done, total }));
  const client = createReadModelClient({ kind: 'chdb', path: join(dataDir, 'clickhouse') });
  await migrateReadModel(client);
  const { projectorBatchSize } = loadApiConfig({ PROJECTOR_BATCH_SIZE: process.env.PROJECTOR_BATCH_SIZE });
  const projector = new Projector(log.openConsumer('read-model'), new EventsProjection(client), new PinoLoggerService(createPinoLogger('error')), {
    group: 'read-model',
    maxBatch: projectorBatchSize,
    maxWaitMs: 500,
    retryBaseMs: 200,
    retryMaxMs: 10_000,
  });

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
  const cpu = process.cpuUsage(cpuBefore);
  await projector.stop();

  const count = await client.query({ query: 'SELECT count() AS rows, uniqExact(event_id) AS unique FROM events', format: 'JSONEachRow' });
  const [rows] = await count.json<{ rows: string; unique: string }>();
  const deadLetters = db.prepare('SELECT count(*) FROM dead_letters').pluck().get() as number;
  await client.close();
  writer.close();
  db.close();
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
    deadLetters,
  });
}

runAsChild(main);
