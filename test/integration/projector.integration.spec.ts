import { ClickHouseClient } from '@clickhouse/client';
import { SqliteEventLog } from '@waymark/event-log';
import { EventsProjection, Projector, dedupTokenOf } from '@waymark/projection';
import { JourneyRepository, createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { join } from 'node:path';
import { sessionStarted } from '../support/events';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const options = { group: 'read-model', maxBatch: 500, maxWaitMs: 50, retryBaseMs: 10, retryMaxMs: 50 };
const key = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };

/** Real SQLite log and real ClickHouse SQL on chDB, no HTTP. */
describe('event log → projector → ClickHouse (chDB)', () => {
  const dir = makeTempDir('projector');
  let db: SqliteConnection;
  let writer: GroupCommitWriter;
  let log: SqliteEventLog;
  let clickhouse: ClickHouseClient;
  let journeys: JourneyRepository;

  beforeAll(async () => {
    db = openEmbeddedDatabase(join(dir.path, 'waymark.db'));
    writer = new GroupCommitWriter(db);
    log = new SqliteEventLog(db, writer);
    clickhouse = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'clickhouse') });
    await migrateReadModel(clickhouse);
    journeys = new JourneyRepository(clickhouse);
  });

  afterAll(async () => {
    await clickhouse.close();
    db.close();
    dir.remove();
  });

  async function countRows(identifierPrefix: string): Promise<{ rows: number; unique: number }> {
    const result = await clickhouse.query({
      query: 'SELECT count() AS rows, uniqExact(event_id) AS unique FROM events WHERE startsWith(identifier, {prefix:String})',
      query_params: { prefix: identifierPrefix },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ rows: string; unique: string }>();
    return { rows: Number(row.rows), unique: Number(row.unique) };
  }

  function startProjector(projection = new EventsProjection(clickhouse), group = options.group): Projector {
    const projector = new Projector(log.openConsumer(group), projection, silent, { ...options, group });
    projector.start();
    return projector;
  }

  it('projects appended events and serves them as a journey in time order', async () => {
    const t0 = Date.UTC(2026, 10, 20, 8, 0, 0);
    const events = [sessionStarted('alice', t0 + 2000), sessionStarted('alice', t0), sessionStarted('bob', t0 + 1000)];
    await log.append(events);
    const projector = startProjector();

    const journey = await waitFor(
      () => journeys.find({ ...key, identifier: 'alice' }, 100),
      (j) => j.events.length === 2,
    );
    await projector.stop();

    expect(journey.events.map((event) => event.occurredAt)).toEqual([new Date(t0).toISOString(), new Date(t0 + 2000).toISOString()]);
    expect(journey.sessions.map((session) => session.sessionId)).toEqual([events[1].sessionId, events[0].sessionId]);
    expect(journey.events[0]).toMatchObject({ id: events[1].id, type: 'SessionStarted', version: 1, meta: { source: 'test' } });
  });

  it('projects nothing twice when a batch is replayed after a crash before its checkpoint', async () => {
    const events = Array.from({ length: 1200 }, (_, i) => sessionStarted(`replay-${i % 30}`, Date.UTC(2026, 10, 21) + i));
    await log.append(events);
    const first = startProjector(undefined, 'crashy');
    await waitFor(
      () => countRows('replay-'),
      (count) => count.unique === 1200,
    );
    await first.stop();

    // Simulate the crash: the inserts happened, the checkpoint is thrown away.
    db.prepare('DELETE FROM checkpoints WHERE consumer = ?').run('crashy');
    const second = startProjector(undefined, 'crashy');
    await waitFor(
      () => db.prepare('SELECT position FROM checkpoints WHERE consumer = ?').pluck().get('crashy') as number | undefined,
      (p) => p !== undefined && p >= Number(db.prepare('SELECT max(position) FROM events').pluck().get()),
    );
    await second.stop();

    const journey = await journeys.find({ ...key, identifier: 'replay-7' }, 1000);
    expect(journey.events).toHaveLength(40);
    expect(new Set(journey.events.map((event) => event.id)).size).toBe(40);
    // Same batch boundaries, same dedup tokens: ClickHouse dropped the re-inserts outright.
    expect(await countRows('replay-')).toEqual({ rows: 1200, unique: 1200 });
  });

  it('redoes exactly the interrupted batch after a crash between insert and checkpoint, so ClickHouse drops the re-insert', async () => {
    await log.append(Array.from({ length: 300 }, (_, i) => sessionStarted(`interrupted-${i % 10}`, Date.UTC(2026, 10, 24) + i)));
    const projection = new EventsProjection(clickhouse);
    // Bring a fresh group up to the interrupted events, then process one batch without committing.
    const catchUp = startProjector(projection, 'interrupted');
    await waitFor(
      () => countRows('interrupted-'),
      (count) => count.unique === 300,
    );
    await catchUp.stop();
    await log.append(Array.from({ length: 50 }, (_, i) => sessionStarted(`interrupted-${i % 10}`, Date.UTC(2026, 10, 25) + i)));
    const crashing = log.openConsumer('interrupted');
    const batch = await crashing.nextBatch(40, 0);
    // The token the projector gives this batch (the consumer's key: its bounds and the first record's fingerprint).
    await projection.project(batch.records, dedupTokenOf('interrupted', batch));
    // ...the process dies here: no commit. More events arrive before the restart.
    await log.append(Array.from({ length: 20 }, (_, i) => sessionStarted(`interrupted-${i % 10}`, Date.UTC(2026, 10, 26) + i)));

    const restarted = startProjector(projection, 'interrupted');
    await waitFor(
      () => countRows('interrupted-'),
      (count) => count.unique === 370,
    );
    await restarted.stop();

    expect(await countRows('interrupted-')).toEqual({ rows: 370, unique: 370 });
  });

  it('dead-letters a malformed record with its reason and keeps projecting the ones after it', async () => {
    await log.append([sessionStarted('before-poison', Date.UTC(2026, 10, 22))]);
    db.prepare(
      `INSERT INTO events (event_id, type, occurred_at, product, env, tag, identifier, body) VALUES ('x', 'SessionStarted', 0, 'p', 'e', 't', 'i', '{"not":"an envelope"')`,
    ).run();
    db.prepare(`INSERT INTO events (event_id, type, occurred_at, product, env, tag, identifier, body) VALUES ('y', 'Mystery', 0, 'p', 'e', 't', 'i', ?)`).run(
      JSON.stringify({ ...sessionStarted('i', 0), type: 'SessionStarted', version: 99 }),
    );
    await log.append([sessionStarted('after-poison', Date.UTC(2026, 10, 22, 1))]);

    const projector = startProjector(undefined, 'poison');
    await waitFor(
      () => journeys.find({ ...key, identifier: 'after-poison' }, 10),
      (j) => j.events.length === 1,
    );
    await projector.stop();

    const letters = db.prepare("SELECT reason FROM dead_letters WHERE consumer = 'poison' ORDER BY position").pluck().all();
    expect(letters).toEqual(['malformed JSON', "unknown version 99 of 'SessionStarted'"]);
    expect(projector.stats.deadLettered).toBe(2);
  });

  it('retries a failed insert on the same batch: nothing lost, nothing skipped', async () => {
    let failuresLeft = 3;
    const flaky = new EventsProjection(clickhouse);
    const real = flaky.project.bind(flaky);
    flaky.project = async (records, token) => {
      if (failuresLeft-- > 0) throw new Error('ClickHouse unreachable');
      return real(records, token);
    };
    await log.append([sessionStarted('flaky', Date.UTC(2026, 10, 23)), sessionStarted('flaky', Date.UTC(2026, 10, 23, 1))]);

    const projector = startProjector(flaky, 'flaky');
    const journey = await waitFor(
      () => journeys.find({ ...key, identifier: 'flaky' }, 10),
      (j) => j.events.length === 2,
    );
    await projector.stop();

    expect(journey.events).toHaveLength(2);
    expect(projector.stats.failures).toBe(3);
  });

  it('keeps going when reading the log fails for a while, instead of ending its loop', async () => {
    await log.append([sessionStarted('read-fails', Date.UTC(2026, 10, 19))]);
    const consumer = log.openConsumer('read-fails');
    let failuresLeft = 3;
    const flaky = {
      nextBatch: (max: number, wait: number) => (failuresLeft-- > 0 ? Promise.reject(new Error('log unreachable')) : consumer.nextBatch(max, wait)),
      deadLetter: (letters: Parameters<typeof consumer.deadLetter>[0]) => consumer.deadLetter(letters),
      close: () => consumer.close(),
    };
    const projector = new Projector(flaky, new EventsProjection(clickhouse), silent, { ...options, group: 'read-fails' });
    projector.start();
    await waitFor(
      () => journeys.find({ ...key, identifier: 'read-fails' }, 10),
      (j) => j.events.length === 1,
    );
    await projector.stop();
    expect(projector.stats.failures).toBe(3);
  });
});
