import { SqliteEventLog } from '@waymark/event-log';
import { EventsProjection } from '@waymark/projection';
import { GroupCommitWriter, openEmbeddedDatabase } from '@waymark/sqlite';
import { join } from 'node:path';
import { runAsChild, sendAndFlush } from '../support/child-process';
import { InsertSchema, openInsertTarget, timeInserts } from '../support/chdb-inserts';

/**
 * The INSERT floor's own process (bench/support/insert-floor.ts runs it): reads the
 * events a projector or replay benchmark just drained, from that benchmark's SQLite log
 * (BENCH_DATA_DIR), in batches of BENCH_BATCH, and INSERTs them with the projection's own
 * INSERT (same columns, format and settings) into a fresh chDB read model at
 * BENCH_INSERT_DIR shaped as BENCH_INSERT_SCHEMA says (`floor`: `events` alone; `views`:
 * as migrated). A process of its own because chDB holds one data directory per process,
 * and so it starts as cold as the drain it is compared with.
 */
async function main(): Promise<void> {
  const dataDir = String(process.env.BENCH_DATA_DIR);
  const batchSize = Number(process.env.BENCH_BATCH);
  const schema = process.env.BENCH_INSERT_SCHEMA as InsertSchema;
  const total = Number(process.env.BENCH_EVENTS);

  const db = openEmbeddedDatabase(join(dataDir, 'waymark.db'));
  const writer = new GroupCommitWriter(db);
  const reader = new SqliteEventLog(db, writer).openReader();
  const client = await openInsertTarget(String(process.env.BENCH_INSERT_DIR), schema);
  const projection = new EventsProjection(client);
  let after = '0';
  const timing = await timeInserts(
    async () => {
      process.send?.({ type: 'progress', phase: schema, done: Number(after), total });
      const records = await reader.read({ after }, batchSize);
      if (records.length === 0) return undefined;
      after = records[records.length - 1].position;
      return projection.prepare(records);
    },
    (batch, index) => projection.insert(batch, `insert-floor:${index}`),
  );
  const count = await client.query({ query: 'SELECT count() AS rows FROM events', format: 'JSONEachRow' });
  const [{ rows }] = await count.json<{ rows: string }>();
  await client.close();
  writer.close();
  db.close();
  await sendAndFlush({ type: 'result', schema, ...timing, rowsInTable: Number(rows) });
}

runAsChild(main);
