import { ClickHouseClient } from '@clickhouse/client';
import { SessionActivityRecorded } from '@waymark/domain';
import { LoggedRecord, SqliteEventLog } from '@waymark/event-log';
import { EventsProjection, Projector, ProjectionResult } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { join } from 'node:path';
import { sessionStarted } from '../support/events';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const options = { maxBatch: 500, maxWaitMs: 50, retryBaseMs: 10, retryMaxMs: 100 };

/** An activity record as another tenant's backend would report it. */
function activity(product: string, identifier: string, at: number, occurredAt = new Date(at).toISOString()): SessionActivityRecorded {
  return { ...sessionStarted(identifier, at), type: 'SessionActivityRecorded', product, occurredAt, data: { name: 'GET /home', status: 'success' } };
}

/**
 * Poison in the embedded log, on real chDB: events whose INSERT ClickHouse refuses (a
 * lone UTF-16 surrogate in the identifier: CANNOT_PARSE_ESCAPE_SEQUENCE; the envelope
 * check has no rule for it) or that break the read model's limits (caught before any
 * INSERT), written straight into the SQLite log as a foreign or older writer would.
 */
describe('poison events: SQLite log → projector → ClickHouse (chDB)', () => {
  const dir = makeTempDir('poison-projector');
  let db: SqliteConnection;
  let writer: GroupCommitWriter;
  let log: SqliteEventLog;
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    db = openEmbeddedDatabase(join(dir.path, 'waymark.db'));
    writer = new GroupCommitWriter(db);
    log = new SqliteEventLog(db, writer);
    clickhouse = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'clickhouse') });
    await migrateReadModel(clickhouse);
  });

  afterAll(async () => {
    await clickhouse.close();
    db.close();
    dir.remove();
  });

  async function countRows(product: string): Promise<{ rows: number; unique: number }> {
    const result = await clickhouse.query({
      query: 'SELECT count() AS rows, uniqExact(event_id) AS unique FROM events WHERE product = {product:String}',
      query_params: { product },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ rows: string; unique: string }>();
    return { rows: Number(row.rows), unique: Number(row.unique) };
  }

  const deadLetters = (group: string) =>
    db.prepare('SELECT position, reason FROM dead_letters WHERE consumer = ? ORDER BY position').all(group) as Array<{ position: number; reason: string }>;
  const positionOf = (id: string) => db.prepare('SELECT position FROM events WHERE event_id = ?').pluck().get(id) as number;

  function startProjector(group: string, projection: EventsProjection = new EventsProjection(clickhouse)): Projector {
    const projector = new Projector(log.openConsumer(group), projection, silent, { ...options, group });
    projector.start();
    return projector;
  }

  it('projects every healthy event of the batch, dead-letters the poison with the reason, and projects a later event of another tenant within one retry', async () => {
    const t0 = Date.UTC(2026, 10, 20, 8);
    const healthy = Array.from({ length: 300 }, (_, i) => activity('tenant-a', `user-${i % 20}`, t0 + i * 1000));
    const refusedByClickHouse = activity('tenant-a', 'lone-\ud800-surrogate', t0 + 150_500);
    const tooOld = activity('tenant-a', 'user-old', t0, '1800-01-01T00:00:00.000Z');
    const tooLate = activity('tenant-a', 'user-late', t0, '2300-01-01T00:00:00.000Z');
    await log.append([...healthy.slice(0, 150), refusedByClickHouse, tooOld, ...healthy.slice(150), tooLate]);

    const projector = startProjector('poison-batch');
    await waitFor(
      () => countRows('tenant-a'),
      (count) => count.unique === 300,
      20_000,
    );
    // The next batch, another tenant's: it must not wait behind the poison.
    const appendedAt = Date.now();
    await log.append([activity('tenant-b', 'user-b', t0)]);
    await waitFor(
      () => countRows('tenant-b'),
      (count) => count.unique === 1,
      5_000,
      10,
    );
    const tenantBVisibleAfterMs = Date.now() - appendedAt;
    await projector.stop();

    expect(await countRows('tenant-a')).toEqual({ rows: 300, unique: 300 });
    // "Within one batch retry": the bound a single retryable failure would cost (plus the read's wait).
    expect(tenantBVisibleAfterMs).toBeLessThan(options.retryMaxMs + options.maxWaitMs + 1_000);
    const letters = deadLetters('poison-batch');
    expect(letters.map((letter) => letter.position)).toEqual([positionOf(refusedByClickHouse.id), positionOf(tooOld.id), positionOf(tooLate.id)]);
    expect(letters[0].reason).toMatch(
      /^refused by ClickHouse: CANNOT_PARSE_ESCAPE_SEQUENCE \(code 25\): Cannot parse escape sequence: missing second part of surrogate pair/,
    );
    expect(letters[1].reason).toContain('invalid envelope: occurredAt is outside the instants the read model can store');
    expect(letters[2].reason).toContain('invalid envelope: occurredAt is outside the instants the read model can store');
    expect(projector.stats).toMatchObject({ projected: 301, deadLettered: 3, refused: 1, bisected: 1, failures: 0 });
    expect(projector.health.consecutiveFailures).toBe(0);
  });

  it('after a crash mid-isolation, re-reads the same batch and isolates the poison again: what was already inserted is dropped by its dedup token', async () => {
    const t0 = Date.UTC(2026, 10, 21, 8);
    const healthy = Array.from({ length: 200 }, (_, i) => activity('tenant-crash', `user-${i % 10}`, t0 + i * 1000));
    const poison = activity('tenant-crash', 'lone-\udbff', t0);
    // The group starts at the head, so that its first batch is exactly these 201 events.
    const head = db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck().get() as number;
    db.prepare('INSERT INTO checkpoints (consumer, position, pending_to, updated_at) VALUES (?, ?, NULL, ?)').run('poison-crash', head, Date.now());
    await log.append([...healthy.slice(0, 130), poison, ...healthy.slice(130)]);

    // The first projector finds the poison, inserts the rest of the batch under its
    // derived token, then "dies" before it can write the dead letter and commit.
    const projection = new EventsProjection(clickhouse);
    let died!: () => void;
    const dead = new Promise<void>((resolve) => (died = resolve));
    const dying = Object.create(projection) as EventsProjection;
    dying.project = async (records: readonly LoggedRecord[], token: string): Promise<ProjectionResult> => {
      const result = await projection.project(records, token);
      if (!token.includes('#')) return result;
      died();
      return new Promise<never>(() => undefined);
    };
    startProjector('poison-crash', dying);
    await Promise.race([
      dead,
      new Promise((_, reject) => setTimeout(() => reject(new Error('the first projector never inserted the rest of its batch')), 10_000).unref()),
    ]);
    expect(await countRows('tenant-crash')).toEqual({ rows: 200, unique: 200 });
    expect(deadLetters('poison-crash')).toEqual([]);

    // Restarted: the SQLite consumer hands out exactly the uncommitted batch again.
    const restarted = startProjector('poison-crash');
    await waitFor(
      () => deadLetters('poison-crash'),
      (letters) => letters.length === 1,
      20_000,
    );
    await restarted.stop();

    expect(await countRows('tenant-crash')).toEqual({ rows: 200, unique: 200 });
    expect(deadLetters('poison-crash')[0].reason).toContain('CANNOT_PARSE_ESCAPE_SEQUENCE');
  });
});
