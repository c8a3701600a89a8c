import { ClickHouseClient } from '@clickhouse/client';
import { ProductRetention } from '@waymark/config';
import { EventEnvelope, createUuidV7Generator, decideCreateSpec } from '@waymark/domain';
import { SqliteEventLog, SqliteLogFacts, SqliteLogPruner } from '@waymark/event-log';
import { EventsProjection, Projector, READ_MODEL_GROUP } from '@waymark/projection';
import { RETAINED_TABLES, createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { LiveProjection, ReplayJournal, ReplayRecord, ReplayRunner } from '@waymark/replay';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { checkEmbeddedLogIntegrity } from '@waymark/storage';
import { join } from 'node:path';
import { ReadModelRetention } from '../../apps/api/src/retention/read-model-retention';
import { RetentionJob, RetentionPass } from '../../apps/api/src/retention/retention-job';
import { sessionStarted } from '../support/events';
import { EXCHANGE, failingAfter, tableContents } from '../support/replayed-tables';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const newId = createUuidV7Generator();
const wholeLog = { start: { kind: 'beginning' as const } };
const DAY = 86_400_000;
const MINUTE = 60_000;
/** Noon, so that a 30-day cutoff falls inside a UTC day and a user's day straddles it. */
const T0 = Date.UTC(2026, 11, 3, 12);
const PRODUCT = 'my-product-tag';
/** 30 days for every env of the product but dev, which keeps 7; other products keep everything. */
const POLICIES: ProductRetention[] = [{ product: PRODUCT, days: 30, envs: { dev: 7 } }];

/**
 * Retention end to end on the embedded stores (real SQLite log, real ClickHouse SQL on
 * chDB, the projector and replay as the service runs them), with a clock the test moves:
 * events written with old `occurredAt` leave every read-model table and the log, the
 * newer stay, a full replay afterwards builds exactly what retention left, and a consumer
 * behind or an unfinished replay holds the log's pruning back.
 */
describe('retention: read model and embedded log, with a controlled clock', () => {
  jest.setTimeout(120_000);
  const dir = makeTempDir('retention');
  let db: SqliteConnection;
  let log: SqliteEventLog;
  let writer: GroupCommitWriter;
  let clickhouse: ClickHouseClient;
  let projector: Projector;
  let live: LiveProjection;
  let now = T0;
  let appended = 0;

  beforeAll(async () => {
    db = openEmbeddedDatabase(join(dir.path, 'waymark.db'));
    writer = new GroupCommitWriter(db);
    log = new SqliteEventLog(db, writer);
    clickhouse = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'clickhouse') });
    await migrateReadModel(clickhouse);
    projector = new Projector(log.openConsumer(READ_MODEL_GROUP), new EventsProjection(clickhouse), silent, {
      group: READ_MODEL_GROUP,
      maxBatch: 100,
      maxWaitMs: 20,
      retryBaseMs: 10,
      retryMaxMs: 50,
    });
    projector.start();
    live = {
      pause: () => projector.pause(),
      resume: () => projector.resume(),
      committedPosition: async () => (await log.describeLag(READ_MODEL_GROUP)).partitions[0]?.committed ?? '0',
    };
  });

  afterAll(async () => {
    await projector?.stop();
    await clickhouse?.close();
    db?.close();
    dir.remove();
  });

  function job(policies: ProductRetention[] = POLICIES): RetentionJob {
    const pruner = new SqliteLogPruner(db, writer, { batchRows: 7, lateMs: 30 * DAY + 10 * MINUTE });
    return new RetentionJob(policies, new ReadModelRetention(clickhouse), pruner, () => now, silent);
  }

  /** A session of `identifier` with an event at each time (SessionStarted first, then activity records). */
  function session(identifier: string, times: number[], where: { env?: string; product?: string } = {}): EventEnvelope[] {
    const started = sessionStarted(identifier, times[0], where);
    const calls = times.slice(1).map((at, index) => ({
      ...started,
      id: newId(),
      type: 'SessionActivityRecorded',
      occurredAt: new Date(at).toISOString(),
      data: { name: `step-${index}`, status: 'success', latencyMs: 5 },
    }));
    return [started, ...calls];
  }

  /** Appends, then waits until the projector has put every event into the read model. */
  async function append(events: EventEnvelope[]): Promise<void> {
    await log.append(events);
    appended += events.length;
    await waitFor(projectedEvents, (count) => count >= appended, 20_000, 50);
  }

  async function projectedEvents(): Promise<number> {
    const committed = Number((await log.describeLag(READ_MODEL_GROUP)).partitions[0].committed);
    return committed >= Number(db.prepare('SELECT max(position) FROM events').pluck().get()) ? appended : 0;
  }

  const logIds = () => new Set(db.prepare('SELECT event_id FROM events').pluck().all() as string[]);
  const idsOf = (events: EventEnvelope[]) => events.map((event) => event.id);

  async function readModelIds(): Promise<Set<string>> {
    const result = await clickhouse.query({ query: 'SELECT DISTINCT toString(event_id) AS id FROM events', format: 'JSONEachRow' });
    return new Set((await result.json<{ id: string }>()).map((row) => row.id));
  }

  /** Rows per table of users' events past the policies at `at` (each table by its own time column). */
  async function rowsPastRetention(at: number): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of RETAINED_TABLES) {
      const time = table.retention.kind === 'events' ? table.retention.time : table.retention.first;
      const users = table.name === 'events' ? "AND identifier != ''" : '';
      const result = await clickhouse.query({
        query: `SELECT count() AS n FROM ${table.name} WHERE product = {product:String} ${users}
                AND ((env = 'dev' AND ${time} < fromUnixTimestamp64Milli({dev:Int64}, 'UTC'))
                  OR (env != 'dev' AND ${time} < fromUnixTimestamp64Milli({rest:Int64}, 'UTC')))`,
        query_params: { product: PRODUCT, dev: at - 7 * DAY, rest: at - 30 * DAY },
        format: 'JSONEachRow',
      });
      counts[table.name] = Number((await result.json<{ n: string }>())[0].n);
    }
    return counts;
  }

  const none = Object.fromEntries(RETAINED_TABLES.map((table) => [table.name, 0]));

  function runner(client: ClickHouseClient = clickhouse): ReplayRunner {
    return new ReplayRunner(log, client, new ReplayJournal(db), silent, { batchSize: 50, newId, now: Date.now }, live);
  }

  async function toEnd(replay: ReplayRunner, started: Promise<ReplayRecord>): Promise<ReplayRecord> {
    const { id } = await started;
    return (await replay.wait(id)) as ReplayRecord;
  }

  async function fullReplay(): Promise<Record<string, string[]>> {
    const replay = runner();
    expect(await toEnd(replay, replay.start(wholeLog))).toMatchObject({ status: 'completed' });
    return tableContents(clickhouse);
  }

  async function integrityOk(): Promise<boolean> {
    return (await checkEmbeddedLogIntegrity(new SqliteLogFacts(db), clickhouse, dir.path)).ok;
  }

  const cut = T0 - 30 * DAY;
  const oldUser = session('old-user', [T0 - 40 * DAY, T0 - 40 * DAY + MINUTE, T0 - 40 * DAY + 2 * MINUTE]);
  // One session across the cutoff, its events in one insert: its sessions row and its user-day both straddle it.
  const straddler = session('straddler', [cut - 60 * MINUTE, cut - 30 * MINUTE, cut + 30 * MINUTE, cut + 60 * MINUTE]);
  const prdOld = session('prd-user', [T0 - 35 * DAY, T0 - 35 * DAY + MINUTE], { env: 'prd' });
  const devOld = session('dev-old', [T0 - 10 * DAY, T0 - 10 * DAY + MINUTE], { env: 'dev' });
  const devNew = session('dev-new', [T0 - 2 * DAY, T0 - 2 * DAY + MINUTE], { env: 'dev' });
  const otherProduct = session('other-user', [T0 - 400 * DAY, T0 - 400 * DAY + MINUTE], { product: 'other-product' });
  const recent = session('recent', [T0 - DAY, T0 - DAY + MINUTE, T0 - 1000]);
  // A spec change long ago: no identifier, the configuration's history, kept.
  const spec = {
    tag: 'old-spec',
    name: 'Old',
    selector: 'userId',
    expiry: { value: 1, unit: 'hours' as const },
    refreshExpiry: { value: 1, unit: 'days' as const },
  };
  const specChange = decideCreateSpec(undefined, spec, { product: PRODUCT, env: '*', now: T0 - 90 * DAY, eventId: newId(), meta: { source: 'test' } }).events;

  it('takes old events out of every read-model table and the log, keeps the newer, and a full replay builds the same', async () => {
    await append([...specChange, ...oldUser, ...straddler, ...prdOld, ...devOld, ...devNew, ...otherProduct, ...recent]);
    const before = await rowsPastRetention(T0);
    for (const table of RETAINED_TABLES) expect([table.name, before[table.name] > 0]).toEqual([table.name, true]);

    const pass = await job().run();

    expect(pass.error).toBeUndefined();
    expect(await rowsPastRetention(T0)).toEqual(none);
    const gone = [...idsOf(oldUser), ...idsOf(straddler).slice(0, 2), ...idsOf(prdOld), ...idsOf(devOld)];
    const kept = [...idsOf(specChange), ...idsOf(straddler).slice(2), ...idsOf(devNew), ...idsOf(otherProduct), ...idsOf(recent)];
    expect([...logIds()].sort()).toEqual([...kept].sort());
    expect([...(await readModelIds())].sort()).toEqual([...kept].sort());
    expect(pass.log).toMatchObject({ removed: gone.length, heldBy: undefined, oldestKept: T0 - 400 * DAY });
    expect(idsOf(specChange).every((id) => logIds().has(id))).toBe(true);
    expect(pass.readModel).toMatchObject({ removed: { events: gone.length }, oldestKept: T0 - 400 * DAY });

    // The straddling session is what its remaining events make: no start, first seen after the cutoff.
    const sessions = await clickhouse.query({
      query: `SELECT toUnixTimestamp64Milli(min(first_at)) AS first, max(started_at) IS NULL AS unstarted
              FROM sessions FINAL WHERE identifier = 'straddler'`,
      format: 'JSONEachRow',
    });
    expect(await sessions.json()).toEqual([{ first: cut + 30 * MINUTE, unstarted: 1 }]);

    const afterRetention = await tableContents(clickhouse);
    expect(await fullReplay()).toEqual(afterRetention);
    expect(await integrityOk()).toBe(true);
  });

  it('moves with the clock: two days later the straddling session is gone too, and a replay still agrees', async () => {
    now = T0 + 2 * DAY;
    const pass = await job().run();
    expect(pass.log?.removed).toBe(2);
    expect(await rowsPastRetention(now)).toEqual(none);
    const kept = new Set([...idsOf(specChange), ...idsOf(devNew), ...idsOf(otherProduct), ...idsOf(recent)]);
    expect(await readModelIds()).toEqual(kept);
    expect(logIds()).toEqual(kept);
    const afterRetention = await tableContents(clickhouse);
    expect(await fullReplay()).toEqual(afterRetention);
  });

  it('a consumer whose checkpoint is behind holds the log back (the read model is pruned), until it catches up', async () => {
    const head = Number(db.prepare('SELECT max(position) FROM events').pluck().get());
    db.prepare('INSERT INTO checkpoints (consumer, position, updated_at) VALUES (?, ?, 0)').run('laggard', head);
    const late = session('late-old', [now - 50 * DAY, now - 50 * DAY + MINUTE]);
    await append([...late, ...session('late-new', [now - 1000])]);

    const held = await job().run();
    expect(held.log).toMatchObject({ removed: 0, held: late.length, heldBy: { kind: 'consumer', consumer: 'laggard', position: head } });
    expect(idsOf(late).every((id) => logIds().has(id))).toBe(true);
    expect(await rowsPastRetention(now)).toEqual(none);
    // The log holds more than the read model, never less: the integrity check stays quiet.
    expect(await integrityOk()).toBe(true);

    db.prepare('UPDATE checkpoints SET position = (SELECT max(position) FROM events) WHERE consumer = ?').run('laggard');
    const released = await job().run();
    expect(released.log).toMatchObject({ removed: late.length, heldBy: undefined });
    expect(idsOf(late).some((id) => logIds().has(id))).toBe(false);
    db.prepare('DELETE FROM checkpoints WHERE consumer = ?').run('laggard');
  });

  it('an unfinished replay holds the log back; once it is finished the next pass prunes, and the read model again equals a replay', async () => {
    const late = session('during-replay', [now - 60 * DAY, now - 60 * DAY + MINUTE]);
    await append([...late, ...session('during-replay-new', [now - 500])]);
    // A replay cut short at its swap: interrupted, it will be resumed and needs the log as it is.
    const crashed = runner(failingAfter(clickhouse, EXCHANGE, 0));
    const cutShort = await toEnd(crashed, crashed.start(wholeLog));
    expect(cutShort).toMatchObject({ status: 'interrupted' });

    const held: RetentionPass = await job().run();
    expect(held.log).toMatchObject({ removed: 0, held: late.length, heldBy: { kind: 'replay', id: cutShort.id, status: 'interrupted' } });
    expect(idsOf(late).every((id) => logIds().has(id))).toBe(true);

    // The resumed replay swaps in what it read, the old events included; the next pass removes them everywhere.
    const resuming = runner();
    expect(await toEnd(resuming, resuming.resume(cutShort.id))).toMatchObject({ status: 'completed' });
    const released = await job().run();
    expect(released.log).toMatchObject({ removed: late.length, heldBy: undefined });
    expect(await rowsPastRetention(now)).toEqual(none);
    expect(idsOf(late).some((id) => logIds().has(id))).toBe(false);
    const afterRetention = await tableContents(clickhouse);
    expect(await fullReplay()).toEqual(afterRetention);
    expect(await integrityOk()).toBe(true);
  });
});
