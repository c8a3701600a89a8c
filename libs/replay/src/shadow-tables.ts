import { ClickHouseClient } from '@clickhouse/client';
import { ReplayRequest } from './replay-plan';

/** Fixed names: a replay builds into this table and swaps it with the live one. */
export const LIVE_EVENTS_TABLE = 'events';
export const SHADOW_EVENTS_TABLE = 'events__replay';

/** Creates the shadow table with exactly the live table's structure, engine and settings. */
export async function createShadowTable(client: ClickHouseClient): Promise<void> {
  await client.command({ query: `DROP TABLE IF EXISTS ${SHADOW_EVENTS_TABLE} SYNC` });
  await client.command({ query: `CREATE TABLE ${SHADOW_EVENTS_TABLE} AS ${LIVE_EVENTS_TABLE}` });
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
  await client.command({
    query: `INSERT INTO ${SHADOW_EVENTS_TABLE} SELECT * FROM ${LIVE_EVENTS_TABLE} WHERE NOT (${inScope})`,
    query_params: { product: request.product ?? '', tag: request.tag ?? '', from: fromPosition },
  });
}

/**
 * Swaps the shadow table in with one `EXCHANGE TABLES` (atomic for one pair), then
 * drops the old data, now under the shadow name. Readers see the old table or the new
 * one, never a half-built one.
 */
export async function swapShadowIn(client: ClickHouseClient): Promise<void> {
  await client.command({ query: `EXCHANGE TABLES ${SHADOW_EVENTS_TABLE} AND ${LIVE_EVENTS_TABLE}` });
  await client.command({ query: `DROP TABLE IF EXISTS ${SHADOW_EVENTS_TABLE}` });
}

export async function shadowTableExists(client: ClickHouseClient): Promise<boolean> {
  const result = await client.query({ query: 'EXISTS TABLE {table:Identifier}', query_params: { table: SHADOW_EVENTS_TABLE }, format: 'JSONEachRow' });
  const [row] = await result.json<{ result: number }>();
  return Number(row?.result) === 1;
}
