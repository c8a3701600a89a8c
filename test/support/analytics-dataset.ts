import { ClickHouseClient } from '@clickhouse/client';
import { EventEnvelope, createUuidV7Generator } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { EventsProjection, Projector } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { join } from 'node:path';
import { makeTempDir } from './temp-dir';
import { waitFor } from './wait-for';

const newId = createUuidV7Generator();
const PRODUCT = 'my-product-tag';
const TAG = 'session-tag';

export const at = (iso: string) => Date.parse(iso);

interface SessionSketch {
  env: string;
  identifier: string;
  sessionId: string;
}

function envelope(session: SessionSketch, type: string, time: string, data: Record<string, unknown>): EventEnvelope {
  return {
    id: newId(),
    type,
    version: 1,
    occurredAt: new Date(at(time)).toISOString(),
    product: PRODUCT,
    env: session.env,
    tag: TAG,
    sessionId: session.sessionId,
    identifier: session.identifier,
    data,
    meta: { source: 'test' },
  };
}

function session(env: string, identifier: string): SessionSketch {
  return { env, identifier, sessionId: newId() };
}

const started = (s: SessionSketch, time: string, refreshExpiresAt: string, sealedData = `sealed:${s.identifier}:${time}`) =>
  envelope(s, 'SessionStarted', time, {
    expiresAt: new Date(at(time) + 3_600_000).toISOString(),
    refreshExpiresAt: new Date(at(refreshExpiresAt)).toISOString(),
    sealedData,
  });
const activity = (s: SessionSketch, time: string, name: string, status: string, latencyMs: number, processId = 'w2') =>
  envelope(s, 'SessionActivityRecorded', time, { name, status, latencyMs, processId });

/**
 * A small hand-built dataset whose answers are worked out by hand in the analytics
 * tests (all times UTC, November 2026):
 *
 * | user | env | session | events |
 * |---|---|---|---|
 * | alice | snd | A1 20th 09:00, ends 21st 09:00 | home 09:01 (100 ms), search 09:02 (200), product 09:03 error (300, w1), then 37 min later cart 09:40 (50), cart 09:41 (60), pay 09:42 (400) |
 * | alice | snd | A2 22nd 10:00, ends Dec 22nd | home 10:01 (10), product 10:02 (20), cart 10:03 (30), checkout 10:04 (40), pay 10:05 (50) |
 * | bob | snd | B1 20th 14:00, ends 21st 14:00 | home 14:01, search 14:02 timeout, home 14:03 |
 * | carol | snd | C1 21st 08:00, ends Dec 21st, revoked 08:30 | search 08:01, product 08:02, cart 08:03 error |
 * | dave | prd | D1 22nd 20:00, ends Dec 22nd | home 20:01, pay 20:02, refreshed 20:30, extended 20:40 |
 *
 * Delivered the hard way: some events are appended to the log out of time order (an
 * activity before its session's start, a revoke before its start, an extend before
 * the refresh), two are appended twice, and a second projector group projects the whole
 * log again, so every row is in ClickHouse at least twice until merges.
 */
export function handBuiltEvents() {
  const a1 = session('snd', 'alice');
  const a2 = session('snd', 'alice');
  const b1 = session('snd', 'bob');
  const c1 = session('snd', 'carol');
  const d1 = session('prd', 'dave');
  const alice1 = [
    started(a1, '2026-11-20T09:00:00Z', '2026-11-21T09:00:00Z'),
    activity(a1, '2026-11-20T09:01:00Z', 'home', 'success', 100),
    activity(a1, '2026-11-20T09:02:00Z', 'search', 'success', 200),
    activity(a1, '2026-11-20T09:03:00Z', 'product', 'error', 300, 'w1'),
    activity(a1, '2026-11-20T09:40:00Z', 'cart', 'success', 50),
    activity(a1, '2026-11-20T09:41:00Z', 'cart', 'success', 60),
    envelope(a1, 'SessionActivityRecorded', '2026-11-20T09:42:00Z', {
      name: 'pay',
      parent: 'cart',
      child: 'card',
      status: 'success',
      latencyMs: 400,
      processId: 'w2',
      properties: { amount: 12.5, items: ['a', 'b'] },
    }),
  ];
  const alice2 = [
    started(a2, '2026-11-22T10:00:00Z', '2026-12-22T10:00:00Z', 'latest-sealed-data-of-alice'),
    activity(a2, '2026-11-22T10:01:00Z', 'home', 'success', 10),
    activity(a2, '2026-11-22T10:02:00Z', 'product', 'success', 20),
    activity(a2, '2026-11-22T10:03:00Z', 'cart', 'success', 30),
    activity(a2, '2026-11-22T10:04:00Z', 'checkout', 'success', 40),
    activity(a2, '2026-11-22T10:05:00Z', 'pay', 'success', 50),
  ];
  const bob = [
    started(b1, '2026-11-20T14:00:00Z', '2026-11-21T14:00:00Z'),
    activity(b1, '2026-11-20T14:01:00Z', 'home', 'success', 70),
    activity(b1, '2026-11-20T14:02:00Z', 'search', 'timeout', 900),
    activity(b1, '2026-11-20T14:03:00Z', 'home', 'success', 80),
  ];
  const carol = [
    started(c1, '2026-11-21T08:00:00Z', '2026-12-21T08:00:00Z'),
    activity(c1, '2026-11-21T08:01:00Z', 'search', 'success', 110),
    activity(c1, '2026-11-21T08:02:00Z', 'product', 'success', 120),
    activity(c1, '2026-11-21T08:03:00Z', 'cart', 'error', 130),
    envelope(c1, 'SessionRevoked', '2026-11-21T08:30:00Z', { reason: 'requested' }),
  ];
  const dave = [
    started(d1, '2026-11-22T20:00:00Z', '2026-12-22T20:00:00Z'),
    activity(d1, '2026-11-22T20:01:00Z', 'home', 'success', 15),
    activity(d1, '2026-11-22T20:02:00Z', 'pay', 'success', 25),
    envelope(d1, 'SessionRefreshed', '2026-11-22T20:30:00Z', {
      generation: 1,
      expiresAt: '2026-11-22T21:30:00.000Z',
      refreshExpiresAt: '2026-12-22T20:30:00.000Z',
    }),
    envelope(d1, 'SessionExtended', '2026-11-22T20:40:00Z', {
      refreshExpiresAt: '2026-12-29T20:30:00.000Z',
      previousRefreshExpiresAt: '2026-12-22T20:30:00.000Z',
    }),
  ];
  const sessions = { a1, a2, b1, c1, d1 };
  const all = [...alice1, ...alice2, ...bob, ...carol, ...dave];
  // Log order: out of time order in places.
  const appendOrder = [
    [alice1[3], alice1[0], ...alice1.slice(1, 3), ...alice1.slice(4)],
    [carol[4], ...carol.slice(0, 4)],
    [dave[4], dave[3], ...dave.slice(0, 3)],
    alice2,
    bob,
    // Delivered twice: the product error and bob's start.
    [alice1[3], bob[0]],
  ];
  return { sessions, all, appendOrder, alice1, alice2, bob, carol, dave };
}

export interface AnalyticsFixture {
  clickhouse: ClickHouseClient;
  log: SqliteEventLog;
  events: ReturnType<typeof handBuiltEvents>;
  /** Appends more events and waits until both projector groups have projected them. */
  append(events: EventEnvelope[]): Promise<void>;
  close(): Promise<void>;
}

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** The dataset above in a fresh data directory: SQLite log → two projector groups → chDB. */
export async function openAnalyticsFixture(): Promise<AnalyticsFixture> {
  const dir = makeTempDir('analytics');
  const db: SqliteConnection = openEmbeddedDatabase(join(dir.path, 'waymark.db'));
  const writer = new GroupCommitWriter(db);
  const log = new SqliteEventLog(db, writer);
  const clickhouse = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'clickhouse') });
  await migrateReadModel(clickhouse);
  // Background merges would collapse duplicates at a time of their choosing; stopped,
  // every duplicate stays, so the answers prove that the readers deduplicate.
  await clickhouse.command({ query: 'SYSTEM STOP MERGES events' });
  await clickhouse.command({ query: 'SYSTEM STOP MERGES sessions' });
  await clickhouse.command({ query: 'SYSTEM STOP MERGES events_by_quarter' });
  await clickhouse.command({ query: 'SYSTEM STOP MERGES journey_events' });
  await clickhouse.command({ query: 'SYSTEM STOP MERGES user_days' });
  await clickhouse.command({ query: 'SYSTEM STOP MERGES activity_by_user' });
  const events = handBuiltEvents();
  for (const group of events.appendOrder) await log.append(group);
  const projectors = ['read-model', 'read-model-replay'].map((group) => {
    // catchUpFactor 1: INSERTs of 7 even while behind, so that an event and its second
    // append land in different INSERTs (ReplacingMergeTree collapses duplicates within one
    // INSERT: optimize_on_insert) and the table holds the duplicates the specs read around.
    const projector = new Projector(log.openConsumer(group), new EventsProjection(clickhouse), silent, {
      group,
      maxBatch: 7,
      catchUpFactor: 1,
      maxWaitMs: 20,
      retryBaseMs: 10,
      retryMaxMs: 50,
    });
    projector.start();
    return projector;
  });
  const caughtUp = async () => {
    const last = db.prepare('SELECT max(position) FROM events').pluck().get() as number;
    await waitFor(
      () =>
        db
          .prepare('SELECT count(*) FROM checkpoints WHERE position >= ? AND consumer IN (?, ?)')
          .pluck()
          .get(last, 'read-model', 'read-model-replay') as number,
      (caught) => caught === 2,
    );
  };
  await caughtUp();
  return {
    clickhouse,
    log,
    events,
    append: async (more) => {
      await log.append(more);
      await caughtUp();
    },
    close: async () => {
      for (const projector of projectors) await projector.stop();
      await clickhouse.close();
      writer.close();
      db.close();
      dir.remove();
    },
  };
}

export { activity as activityEvent, envelope as anEvent };
