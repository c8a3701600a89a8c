import { ClickHouseClient } from '@clickhouse/client';
import { DERIVED_TABLES, DerivedTable } from '@waymark/read-model';
import { ReplayRequest } from './replay-plan';

/** Fixed names: a replay builds into this table and swaps it with the live one. */
export const LIVE_EVENTS_TABLE = 'events';
export const SHADOW_EVENTS_TABLE = `${LIVE_EVENTS_TABLE}__replay`;

const shadowOf = (table: string) => `${table}__replay`;

/** Every table a replay rebuilds, `events` first: the swap's order. */
const replayedTables = (derived: readonly DerivedTable[]) => [LIVE_EVENTS_TABLE, ...derived.map((entry) => entry.table)];

/**
 * Creates the shadow tables with exactly the live tables' structure, engine and settings.
 * `AS` copies the live table's comment too, which may be an earlier run's mark: it is
 * cleared, so a shadow carries a mark only once its own run has marked it.
 */
export async function createShadowTable(client: ClickHouseClient, derived: readonly DerivedTable[] = DERIVED_TABLES): Promise<void> {
  for (const table of replayedTables(derived)) {
    await client.command({ query: `DROP TABLE IF EXISTS ${shadowOf(table)} SYNC` });
    await client.command({ query: `CREATE TABLE ${shadowOf(table)} AS ${table}` });
    await client.command({ query: `ALTER TABLE ${shadowOf(table)} MODIFY COMMENT ''` });
  }
}

/** Fills the derived shadow tables from the finished shadow events (before the swap). */
export async function populateDerivedShadows(client: ClickHouseClient, derived: readonly DerivedTable[] = DERIVED_TABLES): Promise<void> {
  for (const entry of derived) {
    await populateShadow(client, entry, SHADOW_EVENTS_TABLE);
  }
}

/** Empties one derived shadow table and fills it from `source` (events), compacted if the table asks for it. */
async function populateShadow(client: ClickHouseClient, entry: DerivedTable, source: string): Promise<void> {
  await client.command({ query: `TRUNCATE TABLE ${shadowOf(entry.table)}` });
  await client.command({ query: entry.populate(source, shadowOf(entry.table)) });
  if (entry.compactAfterPopulate) await client.command({ query: `OPTIMIZE TABLE ${shadowOf(entry.table)} FINAL` });
}

/**
 * A partial replay rebuilds only its scope; everything else is copied from the live
 * table as it is. Scope: the product (and tag) asked for, from the replay's first log
 * position on. Positions of the embedded log are integers stored as text.
 */
export async function copyOutOfScope(client: ClickHouseClient, request: ReplayRequest, fromPosition: string): Promise<void> {
  const inScope = [
    request.product !== undefined ? 'product = {product:String}' : '1',
    request.tag !== undefined ? 'tag = {tag:String}' : '1',
    'toUInt64OrZero(log_position) >= {from:UInt64}',
  ].join(' AND ');
  await copyLiveRowsOutside(client, inScope, { product: request.product ?? '', tag: request.tag ?? '', from: fromPosition });
}

/** Copies the live events for which `inScope` (SQL over `events`, with its parameters) is false into the shadow table. */
export async function copyLiveRowsOutside(client: ClickHouseClient, inScope: string, params: Record<string, unknown>): Promise<void> {
  await client.command({
    query: `INSERT INTO ${SHADOW_EVENTS_TABLE} SELECT * FROM ${LIVE_EVENTS_TABLE} WHERE NOT (${inScope})`,
    query_params: params,
  });
}

/** The comment that names the replay run which built a table. */
export const replayMark = (runId: string) => `waymark-replay:${runId}`;

/**
 * Marks every shadow table with the run that built it, before the first exchange. A
 * table's comment is metadata: it is durable, and `EXCHANGE TABLES` carries it with the
 * table, so after a crash in the middle of the swap each live table still tells whether
 * it is already this run's (verified on chDB 3.4 / ClickHouse 26.7).
 */
export async function markShadows(client: ClickHouseClient, runId: string, derived: readonly DerivedTable[] = DERIVED_TABLES): Promise<void> {
  // COMMENT takes a literal only (no query parameter): run ids are ours, but are checked.
  if (!/^[\w-]+$/.test(runId)) throw new Error(`replay id ${JSON.stringify(runId)} cannot name a table comment`);
  for (const table of replayedTables(derived)) {
    await client.command({ query: `ALTER TABLE ${shadowOf(table)} MODIFY COMMENT '${replayMark(runId)}'` });
  }
}

/** A table's comment, or undefined when there is no such table. */
async function tableComment(client: ClickHouseClient, table: string): Promise<string | undefined> {
  const result = await client.query({
    query: 'SELECT comment FROM system.tables WHERE database = currentDatabase() AND name = {table:String}',
    query_params: { table },
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ comment: string }>();
  return row?.comment;
}

/** Whether the live table (`events` by default) is the one the run `runId` built. */
export async function isLiveFromRun(client: ClickHouseClient, runId: string, table: string = LIVE_EVENTS_TABLE): Promise<boolean> {
  return (await tableComment(client, table)) === replayMark(runId);
}

/**
 * Swaps each marked shadow table in with `EXCHANGE TABLES` (atomic per pair), then drops
 * the old data, now under the shadow names. Readers see the old table or the new one,
 * never a half-built one; between two pairs' swaps a reader joining them could see one
 * old and one new. Materialized views name their source and target tables, so after the
 * swap they feed the new tables.
 *
 * Idempotent, so that a swap cut short by a crash is finished by running it again: a
 * pair whose live table already carries the run's mark was exchanged before and is
 * skipped (exchanging it again would put the old data back). A pair whose shadow is not
 * the run's is refused: it holds another run's tables or old data.
 */
export async function swapShadowIn(client: ClickHouseClient, runId: string, derived: readonly DerivedTable[] = DERIVED_TABLES): Promise<void> {
  const mark = replayMark(runId);
  for (const table of replayedTables(derived)) {
    if ((await tableComment(client, table)) === mark) continue;
    if ((await tableComment(client, shadowOf(table))) !== mark) {
      throw new Error(`cannot swap ${table}: ${shadowOf(table)} was not built by replay ${runId}; start a new replay`);
    }
    await client.command({ query: `EXCHANGE TABLES ${shadowOf(table)} AND ${table}` });
  }
  for (const table of replayedTables(derived)) {
    await client.command({ query: `DROP TABLE IF EXISTS ${shadowOf(table)}` });
  }
}

/**
 * Refills the derived shadows a cut-short swap has not exchanged yet from the live (new)
 * events: a live projector that ran meanwhile wrote into the new `events`, but its views
 * fed the old derived tables, so the shadows lack those rows.
 */
export async function refillUnswappedDerived(client: ClickHouseClient, runId: string, derived: readonly DerivedTable[] = DERIVED_TABLES): Promise<void> {
  for (const entry of derived) {
    if (await isLiveFromRun(client, runId, entry.table)) continue;
    await populateShadow(client, entry, LIVE_EVENTS_TABLE);
  }
}

export async function shadowTableExists(client: ClickHouseClient): Promise<boolean> {
  const result = await client.query({ query: 'EXISTS TABLE {table:Identifier}', query_params: { table: SHADOW_EVENTS_TABLE }, format: 'JSONEachRow' });
  const [row] = await result.json<{ result: number }>();
  return Number(row?.result) === 1;
}
