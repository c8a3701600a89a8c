import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEnvelope } from '@waymark/domain';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { SqliteEventLog } from './sqlite-event-log';
import { LogPruneRule, SqliteLogPruner } from './sqlite-log-pruner';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 3, 12);
const LATE = 30 * DAY;

let sequence = 0;
function event(at: number, product = 'shop', env = 'prd', identifier = 'someone'): EventEnvelope {
  sequence += 1;
  return {
    id: `00000000-0000-7000-8000-${String(sequence).padStart(12, '0')}`,
    type: 'SessionRevoked',
    version: 1,
    occurredAt: new Date(at).toISOString(),
    product,
    env,
    tag: 't',
    sessionId: '00000000-0000-7000-8000-000000000000',
    identifier,
    data: { reason: 'logout' },
    meta: {},
  } as EventEnvelope;
}

/** The log pruner over a real SQLite file: what it deletes, what holds it back, how it walks. */
describe('SqliteLogPruner', () => {
  let dir: string;
  let db: SqliteConnection;
  let writer: GroupCommitWriter;
  let log: SqliteEventLog;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wm-pruner-'));
    db = openEmbeddedDatabase(join(dir, 'waymark.db'));
    writer = new GroupCommitWriter(db);
    log = new SqliteEventLog(db, writer);
  });

  afterEach(() => {
    writer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const positions = () => db.prepare('SELECT position FROM events ORDER BY position').pluck().all() as number[];
  const checkpoint = (consumer: string, position: number) =>
    db
      .prepare('INSERT INTO checkpoints (consumer, position, updated_at) VALUES (?, ?, 0) ON CONFLICT (consumer) DO UPDATE SET position = excluded.position')
      .run(consumer, position);
  const pruner = (batchRows = 3) => new SqliteLogPruner(db, writer, { batchRows, lateMs: LATE });
  const shop30: LogPruneRule = { product: 'shop', exceptEnvs: [], before: NOW - 30 * DAY };

  it('deletes the events past their rule in small batches, keeps the others and the oldest kept time', async () => {
    // positions 1-5 old shop events, 6 an old event of another product, 7-8 recent.
    await log.append([...[40, 39, 38, 37, 36].map((days) => event(NOW - days * DAY)), event(NOW - 50 * DAY, 'blog'), event(NOW - DAY), event(NOW)]);
    checkpoint('read-model', 8);
    const result = await pruner(2).prune([shop30]);
    expect(positions()).toEqual([6, 7, 8]);
    expect(result).toMatchObject({ removed: 5, upTo: 7, heldBy: undefined, oldestKept: NOW - 50 * DAY });
    expect(result.batches).toBeGreaterThanOrEqual(3);
  });

  it('applies an env rule and a default that excepts it', async () => {
    await log.append([event(NOW - 10 * DAY, 'shop', 'dev'), event(NOW - 10 * DAY, 'shop', 'prd'), event(NOW - 40 * DAY, 'shop', 'prd'), event(NOW)]);
    checkpoint('read-model', 4);
    const rules: LogPruneRule[] = [
      { product: 'shop', exceptEnvs: ['dev'], before: NOW - 30 * DAY },
      { product: 'shop', env: 'dev', exceptEnvs: [], before: NOW - 7 * DAY },
    ];
    expect((await pruner().prune(rules)).removed).toBe(2);
    expect(positions()).toEqual([2, 4]);
  });

  it("keeps events without an identifier (session spec changes): configuration, not anyone's data", async () => {
    await log.append([event(NOW - 90 * DAY, 'shop', '*', ''), event(NOW - 90 * DAY), event(NOW)]);
    checkpoint('read-model', 3);
    expect((await pruner().prune([shop30])).removed).toBe(1);
    expect(positions()).toEqual([1, 3]);
  });

  it('never deletes the newest event, so positions are never handed out again', async () => {
    await log.append([event(NOW - 90 * DAY), event(NOW - 80 * DAY)]);
    checkpoint('read-model', 2);
    expect((await pruner().prune([shop30])).removed).toBe(1);
    await log.append([event(NOW)]);
    expect(positions()).toEqual([2, 3]);
  });

  it('is held back by the consumer furthest behind, and says so', async () => {
    await log.append([40, 39, 38, 37].map((days) => event(NOW - days * DAY)).concat(event(NOW)));
    checkpoint('read-model', 5);
    checkpoint('laggard', 2);
    const held = await pruner().prune([shop30]);
    expect(held).toMatchObject({ removed: 2, upTo: 2, held: 2, heldBy: { kind: 'consumer', consumer: 'laggard', position: 2 } });
    expect(positions()).toEqual([3, 4, 5]);
    checkpoint('laggard', 5);
    expect(await pruner().prune([shop30])).toMatchObject({ removed: 2, heldBy: undefined });
    expect(positions()).toEqual([5]);
  });

  it('deletes nothing before any consumer committed, nor while a replay is running or interrupted', async () => {
    await log.append([event(NOW - 40 * DAY), event(NOW)]);
    expect(await pruner().prune([shop30])).toMatchObject({ removed: 0, held: 1, heldBy: { kind: 'no_checkpoint' } });
    checkpoint('read-model', 2);
    const replay = db.prepare(
      `INSERT INTO replay_runs (id, created_at, updated_at, status, request, plan, copied, processed, skipped) VALUES ('r1', 0, 0, ?, '{}', '{}', 0, 0, 0)`,
    );
    replay.run('interrupted');
    expect(await pruner().prune([shop30])).toMatchObject({ removed: 0, heldBy: { kind: 'replay', id: 'r1', status: 'interrupted' } });
    db.prepare("UPDATE replay_runs SET status = 'completed'").run();
    expect(await pruner().prune([shop30])).toMatchObject({ removed: 1, heldBy: undefined });
  });

  it('stops walking once a batch holds only events newer than the newest cutoff by more than an event can be late', async () => {
    // Old events at positions 1-3, then 6 recent ones, then an old one appended last
    // (later than any append of the API could make it): the walk stops before it.
    await log.append([...[40, 40, 40].map((days) => event(NOW - days * DAY)), ...[1, 1, 1, 1, 1, 1].map(() => event(NOW)), event(NOW - 40 * DAY), event(NOW)]);
    checkpoint('read-model', 11);
    const result = await pruner(3).prune([shop30]);
    expect(result.removed).toBe(3);
    expect(positions()).toContain(10);
  });
});
