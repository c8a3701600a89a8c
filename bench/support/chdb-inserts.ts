import { ClickHouseClient } from '@clickhouse/client';
import { PreparedBatch } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';

/**
 * Plain INSERTs into chDB, without a projector: the floor the projector and replay
 * benchmarks are judged against (issue 18), and what bench/micro/insert-cost.micro.ts
 * measures per INSERT.
 *
 * - `floor`: only the `events` table, with the migrations' DDL (migrated, then every
 *   materialized view and every other table dropped): what chDB takes for the rows alone.
 * - `views`: the migrated schema as the API runs it (`events` with its materialized views
 *   and derived tables): what the views add to the same INSERTs.
 */
export type InsertSchema = 'floor' | 'views';

/** A fresh chDB read model at `path`, shaped as `schema` says. */
export async function openInsertTarget(path: string, schema: InsertSchema): Promise<ClickHouseClient> {
  const client = createReadModelClient({ kind: 'chdb', path });
  await migrateReadModel(client);
  if (schema === 'floor') {
    // Views first: each names `events` and its target table.
    for (const view of await materializedViews(client)) await client.command({ query: `DROP TABLE ${view} SYNC` });
    for (const table of await tablesOtherThanEvents(client)) await client.command({ query: `DROP TABLE ${table} SYNC` });
  }
  return client;
}

export async function materializedViews(client: ClickHouseClient): Promise<string[]> {
  return tableNames(client, "engine = 'MaterializedView'");
}

async function tablesOtherThanEvents(client: ClickHouseClient): Promise<string[]> {
  return tableNames(client, "name != 'events'");
}

async function tableNames(client: ClickHouseClient, condition: string): Promise<string[]> {
  const result = await client.query({
    query: `SELECT name FROM system.tables WHERE database = currentDatabase() AND ${condition} ORDER BY name`,
    format: 'JSONEachRow',
  });
  return (await result.json<{ name: string }>()).map((row) => row.name);
}

export interface InsertTiming {
  inserts: number;
  rows: number;
  /** Wall time inside the INSERT calls only. */
  wallMs: number;
  /** Process CPU (user + sys, all threads: chDB's included) inside the INSERT calls only. */
  cpuMs: number;
}

/**
 * Times INSERTs one after the other until `next` has no batch left. Only the awaited
 * `insert` is on the clock: making a batch (reading the log, envelope checks, rows) is
 * the caller's JavaScript, not what chDB takes.
 */
export async function timeInserts(
  next: () => Promise<PreparedBatch | undefined>,
  insert: (batch: PreparedBatch, index: number) => Promise<void>,
): Promise<InsertTiming> {
  const timing: InsertTiming = { inserts: 0, rows: 0, wallMs: 0, cpuMs: 0 };
  for (let batch = await next(); batch; batch = await next()) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await insert(batch, timing.inserts);
    timing.wallMs += performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    timing.cpuMs += (cpu.user + cpu.system) / 1000;
    timing.inserts += 1;
    timing.rows += batch.rows.length;
  }
  return timing;
}
