import { ClickHouseClient } from '@clickhouse/client';
import { DERIVED_TABLES, DerivedTable } from '@waymark/read-model';
import { ReplayRequest } from './replay-plan';

/** Fixed names: a replay builds into this table and swaps it with the live one. */
export const LIVE_EVENTS_TABLE = 'events';
export const SHADOW_EVENTS_TABLE = `${LIVE_EVENTS_TABLE}__replay`;

const shadowOf = (table: string) => `${table}__replay`;

/** Creates the shadow tables with exactly the live tables' structure, engine and settings. */
export async function createShadowTable(client: ClickHouseClient, derived: readonly DerivedTable[] = DERIVED_TABLES): Promise<void> {
  for (const table of [LIVE_EVENTS_TABLE, ...derived.map((entry) => entry.table)]) {
    await client.command({ query: `DROP TABLE IF EXISTS ${shadowOf(table)} SYNC` });
    await client.command({ query: `CREATE TABLE ${shadowOf(table)} AS ${table}` });
  }
}

/** Fills the derived shadow tables from the finished shadow events (before the swap). */
export async function populateDerivedShadows(client: ClickHouseClient, derived: readonly DerivedTable[] = DERIVED_TABLES): Promise<void> {
  for (const entry of derived) {
    await client.command({ query: `TRUNCATE TABLE ${shadowOf(entry.table)}` });
    await client.command({ query: entry.populate(SHADOW_EVENTS_TABLE, shadowOf(entry.table)) });
  }
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

/**
 * Swaps each shadow table in with `EXCHANGE TABLES` (atomic per pair), then drops the
 * old data, now under the shadow names. Readers see the old table or the new one,
 * never a half-built one; between two pairs' swaps a reader joining them could see one
 * old and one new (the live projector is paused, so both hold the same events).
 * Materialized views name their source and target tables, so after the swap they feed
 * the new tables.
 */
export async function swapShadowIn(client: ClickHouseClient, derived: readonly DerivedTable[] = DERIVED_TABLES): Promise<void> {
  for (const table of [LIVE_EVENTS_TABLE, ...derived.map((entry) => entry.table)]) {
    await client.command({ query: `EXCHANGE TABLES ${shadowOf(table)} AND ${table}` });
  }
  for (const table of [LIVE_EVENTS_TABLE, ...derived.map((entry) => entry.table)]) {
    await client.command({ query: `DROP TABLE IF EXISTS ${shadowOf(table)}` });
  }
}

export async function shadowTableExists(client: ClickHouseClient): Promise<boolean> {
  const result = await client.query({ query: 'EXISTS TABLE {table:Identifier}', query_params: { table: SHADOW_EVENTS_TABLE }, format: 'JSONEachRow' });
  const [row] = await result.json<{ result: number }>();
  return Number(row?.result) === 1;
}
