import { ClickHouseClient } from '@clickhouse/client';
import { LoggerService } from '@nestjs/common';
import { EventEnvelope, createUuidV7Generator } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { EventsProjection, Projector, READ_MODEL_GROUP } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { LiveProjection, ReplayJournal, ReplayProgress, ReplayRecord, ReplayRunner } from '@waymark/replay';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { join } from 'node:path';
import { sessionStarted } from '../support/events';
import { REPLAYED_TABLES } from '../support/replayed-tables';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const newId = createUuidV7Generator();

/** Keeps every line with its fields, to read what the replay said of each refused event. */
function recordingLogger(): LoggerService & { lines: Array<{ level: string; fields: Record<string, unknown>; text: string }> } {
  const lines: Array<{ level: string; fields: Record<string, unknown>; text: string }> = [];
  const keep = (level: string) => (fields: unknown, text?: unknown) =>
    void lines.push({ level, fields: (typeof fields === 'object' && fields) as Record<string, unknown>, text: String(text) });
  return { lines, log: keep('log'), warn: keep('warn'), error: keep('error') };
}

/**
 * A replay meets the poison the live projector dead-lettered (events the envelope check
 * passes and ClickHouse refuses: lone UTF-16 surrogates, CANNOT_PARSE_ESCAPE_SEQUENCE),
 * written straight into the SQLite log as a foreign or older writer would. It used to
 * fail on their batch, and again on every resume; now it rebuilds everything else and
 * reports each one. Real SQLite log, real chDB, a live projector handing over as in the
 * service.
 */
describe('replay around events ClickHouse refuses (embedded log, chDB)', () => {
  jest.setTimeout(90_000);
  const dir = makeTempDir('poison-replay');
  let db: SqliteConnection;
  let log: SqliteEventLog;
  let clickhouse: ClickHouseClient;
  let projector: Projector;
  let live: LiveProjection;
  let clock = Date.UTC(2026, 10, 5);

  beforeAll(async () => {
    db = openEmbeddedDatabase(join(dir.path, 'waymark.db'));
    log = new SqliteEventLog(db, new GroupCommitWriter(db));
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

  const activity = (identifier: string): EventEnvelope => ({
    ...sessionStarted(identifier, (clock += 1000)),
    id: newId(),
    type: 'SessionActivityRecorded',
    data: { name: 'GET /home', status: 'success' },
  });

  async function eventsOf(product: string): Promise<{ rows: number; unique: number; ids: string[] }> {
    const result = await clickhouse.query({
      query: 'SELECT count() AS rows, uniqExact(event_id) AS unique, groupArray(toString(event_id)) AS ids FROM events WHERE product = {product:String}',
      query_params: { product },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ rows: string; unique: string; ids: string[] }>();
    return { rows: Number(row.rows), unique: Number(row.unique), ids: row.ids };
  }

  const deadLetters = () =>
    db.prepare('SELECT position, reason FROM dead_letters WHERE consumer = ? ORDER BY position').all(READ_MODEL_GROUP) as Array<{
      position: number;
      reason: string;
    }>;
  const positionOf = (id: string) => String(db.prepare('SELECT position FROM events WHERE event_id = ?').pluck().get(id));

  it('replays every other event into the new read model, leaves out and reports each refused one with its reason, and writes no dead letter again', async () => {
    const healthy = Array.from({ length: 240 }, (_, i) => activity(`user-${i % 12}`));
    for (const event of healthy) event.product = 'poison-replay';
    const refused = [
      { ...activity('lone-\ud800-high'), product: 'poison-replay' },
      { ...activity('lone-\udbff-high'), product: 'poison-replay' },
    ];
    const malformed = { ...activity('user-old'), product: 'poison-replay', occurredAt: '1800-01-01T00:00:00.000Z' };
    // Two refused events in one replay batch of 50, one in another, beside an envelope the check refuses.
    await log.append([...healthy.slice(0, 60), refused[0], ...healthy.slice(60, 70), malformed, ...healthy.slice(70, 170), refused[1], ...healthy.slice(170)]);
    await waitFor(
      () => eventsOf('poison-replay'),
      (model) => model.unique === 240,
      20_000,
      50,
    );
    await waitFor(deadLetters, (letters) => letters.length === 3, 20_000, 50);
    const lettersBefore = deadLetters();

    // The read model is lost; the log is not.
    for (const table of REPLAYED_TABLES) await clickhouse.command({ query: `TRUNCATE TABLE ${table}` });
    const logger = recordingLogger();
    const runner = new ReplayRunner(log, clickhouse, new ReplayJournal(db), logger, { batchSize: 50, newId, now: Date.now }, live);
    const { id } = await runner.start({ start: { kind: 'beginning' } });
    const record = (await runner.wait(id)) as ReplayRecord;

    expect(record).toMatchObject({ status: 'completed', skipped: 3, error: undefined });
    expect(runner.progress(id)).toMatchObject<Partial<ReplayProgress>>({ status: 'completed', phase: 'done', skipped: 3, refused: 2 });
    const model = await eventsOf('poison-replay');
    expect(model).toMatchObject({ rows: 240, unique: 240 });
    expect(new Set(model.ids)).toEqual(new Set(healthy.map((event) => event.id)));

    const reports = logger.lines.filter((line) => line.text.startsWith('replay: event refused by ClickHouse'));
    expect(reports.map((line) => line.fields.position)).toEqual([positionOf(refused[0].id), positionOf(refused[1].id)]);
    for (const line of reports) expect(line.fields.reason).toMatch(/^refused by ClickHouse: CANNOT_PARSE_ESCAPE_SEQUENCE \(code 25\): /);
    expect(logger.lines.find((line) => line.text.startsWith('replay completed'))?.fields).toMatchObject({ skipped: 3, refused: 2 });
    // The live projector dead-lettered each once; the replay adds none.
    expect(deadLetters()).toEqual(lettersBefore);
    // And the live projector goes on into the new tables after the hand-over.
    const later = { ...activity('user-after'), product: 'poison-replay' };
    await log.append([later]);
    await waitFor(
      () => eventsOf('poison-replay'),
      (after) => after.unique === 241,
      20_000,
      50,
    );
  });

  it('still fails the run, as before, when ClickHouse fails otherwise than by a value (nothing is taken for poison); a new run then completes', async () => {
    const failing = Object.create(clickhouse) as ClickHouseClient;
    failing.insert = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    };
    const broken = new ReplayRunner(log, failing, new ReplayJournal(db), silent, { batchSize: 50, newId, now: Date.now }, live);
    const { id } = await broken.start({ start: { kind: 'beginning' } });
    expect(await broken.wait(id)).toMatchObject({ status: 'failed', error: 'connect ECONNREFUSED 127.0.0.1:8123' });
    expect(broken.progress(id)).toMatchObject({ refused: 0 });

    const runner = new ReplayRunner(log, clickhouse, new ReplayJournal(db), silent, { batchSize: 50, newId, now: Date.now }, live);
    const fresh = await runner.start({ start: { kind: 'beginning' } });
    expect(await runner.wait(fresh.id)).toMatchObject({ status: 'completed', skipped: 3 });
    expect(runner.progress(fresh.id)).toMatchObject({ refused: 2 });
  });
});
