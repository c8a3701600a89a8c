import { ClickHouseClient } from '@clickhouse/client';
import { EventEnvelope } from '@waymark/domain';
import { join } from 'node:path';
import { sessionStarted } from '../../../../test/support/events';
import { makeTempDir } from '../../../../test/support/temp-dir';
import { createReadModelClient } from '../clickhouse-client.factory';
import { EVENT_COLUMNS, toEventRow } from '../event-rows';
import { insertRows } from '../insert-rows';
import { migrateReadModel } from '../read-model-migrator';
import { READ_MODEL_TABLES } from '../schema';
import { RowCounts, UserRowsEraser } from './user-rows-eraser';
import { UserRowsScope, userTables } from './user-rows';

const ERASED = 'erin.erasure+4410@mail.test';
const KEPT = 'kim.kept+2201@mail.test';

function activity(identifier: string, env: string, at: number, sessionId: string): EventEnvelope {
  return {
    ...sessionStarted(identifier, at, { env, sessionId }),
    type: 'SessionActivityRecorded',
    data: { name: 'checkout', status: 'ok' },
  };
}

describe('UserRowsEraser (chDB)', () => {
  jest.setTimeout(90_000);
  const dir = makeTempDir('user-rows-eraser');
  let client: ClickHouseClient;

  beforeAll(async () => {
    client = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'clickhouse') });
    await migrateReadModel(client);
    const at = Date.UTC(2026, 10, 20, 10);
    const events: EventEnvelope[] = [];
    for (const [identifier, env] of [
      [ERASED, 'snd'],
      [ERASED, 'prd'],
      [KEPT, 'snd'],
    ]) {
      const start = sessionStarted(identifier, at, { env });
      events.push(start, activity(identifier, env, at + 1000, start.sessionId), activity(identifier, env, at + 2000, start.sessionId));
    }
    await insertRows(client, { table: 'events', columns: EVENT_COLUMNS, rows: events.map((event, index) => toEventRow(event, String(index))) });
  });

  afterAll(async () => {
    await client?.close();
    dir.remove();
  });

  it('finds every table of the schema that holds users, by identifier or by user hash', () => {
    expect(userTables().map((table) => `${table.name}:${table.userColumn}`)).toEqual([
      'events:identifier',
      'sessions:identifier',
      'events_by_quarter:user_hash',
      'journey_events:identifier',
      'user_days:user_hash',
      'activity_by_user:user_hash',
    ]);
    expect(READ_MODEL_TABLES.map((table) => table.name)).toContain('replay_runs');
  });

  it('counts a scope, deletes it (narrowed to an env first), leaves the other user as they were, and is idempotent', async () => {
    const eraser = new UserRowsEraser(client);
    const counted = async (scope: UserRowsScope) => eraser.count(scope, await eraser.footprint(scope));
    const erase = async (scope: UserRowsScope, counts: RowCounts) => eraser.delete(scope, await eraser.footprint(scope), counts);
    const kept = await counted({ product: 'my-product-tag', identifier: KEPT });
    const all = await counted({ product: 'my-product-tag', identifier: ERASED });
    expect(all).toEqual({ events: 6, sessions: 2, events_by_quarter: 6, journey_events: 6, user_days: 2, activity_by_user: 4 });

    const snd = { product: 'my-product-tag', identifier: ERASED, envs: ['snd'] };
    const sndCounts = await counted(snd);
    expect(sndCounts.events).toBe(3);
    await erase(snd, sndCounts);
    expect(await counted({ product: 'my-product-tag', identifier: ERASED })).toEqual({
      events: 3,
      sessions: 1,
      events_by_quarter: 3,
      journey_events: 3,
      user_days: 1,
      activity_by_user: 2,
    });

    const rest = await counted({ product: 'my-product-tag', identifier: ERASED });
    await erase({ product: 'my-product-tag', identifier: ERASED }, rest);
    await erase({ product: 'my-product-tag', identifier: ERASED }, rest);
    const none = await counted({ product: 'my-product-tag', identifier: ERASED });
    expect(Object.values(none).every((n) => n === 0)).toBe(true);
    // Without its footprint (no events left), nothing is searched: and nothing is left anyway.
    expect(await eraser.footprint({ product: 'my-product-tag', identifier: ERASED })).toBeUndefined();
    expect(await counted({ product: 'my-product-tag', identifier: KEPT })).toEqual(kept);

    const raw = await client.query({
      query: 'SELECT count() AS n FROM events WHERE position(identifier, {id:String}) > 0',
      query_params: { id: ERASED },
      format: 'JSONEachRow',
    });
    expect((await raw.json<{ n: string | number }>()).map((row) => Number(row.n))).toEqual([0]);
  });
});
