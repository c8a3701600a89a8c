import { ClickHouseClient } from '@clickhouse/client';
import { EventEnvelope, createUuidV7Generator } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { EventsProjection, Projector, READ_MODEL_GROUP } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import {
  LiveProjection,
  ReplayConflictError,
  ReplayJournal,
  ReplayRecord,
  ReplayRunner,
  createShadowTable,
  markShadows,
  replayMark,
  swapShadowIn,
} from '@waymark/replay';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { join } from 'node:path';
import { sessionStarted } from '../support/events';
import { EXCHANGE, REPLAYED_TABLES, SWAP_DROP, failingAfter, liveMarks, shadowTables, tableContents } from '../support/replayed-tables';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const newId = createUuidV7Generator();
const wholeLog = { start: { kind: 'beginning' as const } };

/**
 * A crash in the middle of the swap (some tables exchanged, others not) is finished by
 * `resume`, with a live projector handing over as in the service: real SQLite log, real
 * ClickHouse SQL on chDB. The crash is a ClickHouse command failing after the k-th
 * exchange; the journal then holds what a killed process would have left.
 */
describe('replay: a swap cut short is finished by resume (embedded log, chDB)', () => {
  jest.setTimeout(90_000);
  const dir = makeTempDir('replay-swap');
  let db: SqliteConnection;
  let log: SqliteEventLog;
  let clickhouse: ClickHouseClient;
  let projector: Projector;
  let live: LiveProjection;
  let appended = 0;
  let clock = Date.UTC(2026, 10, 3);

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
    // Wired as the service wires its own projector (ReplayService).
    live = {
      pause: () => projector.pause(),
      resume: () => projector.resume(),
      committedPosition: async () => (await log.describeLag(READ_MODEL_GROUP)).partitions[0]?.committed ?? '0',
    };
    await append(30);
  });

  afterAll(async () => {
    await projector?.stop();
    await clickhouse?.close();
    db?.close();
    dir.remove();
  });

  /** Sessions of a few users, three calls each, so that every derived table has rows; waits until projected. */
  async function append(sessions: number): Promise<void> {
    const events: EventEnvelope[] = [];
    for (let i = 0; i < sessions; i += 1) {
      const started = sessionStarted(`swap-user-${i % 7}`, (clock += 1000));
      const calls = ['home', 'cart', 'pay'].map((name) => ({
        ...started,
        id: newId(),
        type: 'SessionActivityRecorded',
        occurredAt: new Date((clock += 1000)).toISOString(),
        data: { name, status: 'ok', latencyMs: 12 },
      }));
      events.push(started, ...calls);
    }
    await log.append(events);
    appended += events.length;
    await waitFor(uniqueEvents, (unique) => unique === appended, 20_000, 50);
  }

  async function uniqueEvents(): Promise<number> {
    const result = await clickhouse.query({ query: 'SELECT uniqExact(event_id) AS n FROM events', format: 'JSONEachRow' });
    return Number((await result.json<{ n: string }>())[0].n);
  }

  function runner(client: ClickHouseClient = clickhouse): ReplayRunner {
    return new ReplayRunner(log, client, new ReplayJournal(db), silent, { batchSize: 50, newId, now: Date.now }, live);
  }

  /** Starts (or resumes) a run on `replay` and waits for its end. */
  async function toEnd(replay: ReplayRunner, started: Promise<ReplayRecord>): Promise<ReplayRecord> {
    const { id } = await started;
    return (await replay.wait(id)) as ReplayRecord;
  }

  /** The read model is lost: the old tables differ from anything a replay builds, so an old table swapped back in shows. */
  async function wipeReadModel(): Promise<void> {
    for (const table of REPLAYED_TABLES) await clickhouse.command({ query: `TRUNCATE TABLE ${table}` });
  }

  /** The read model a replay from scratch builds now. */
  async function cleanReplayContents(): Promise<Record<string, string[]>> {
    const clean = runner();
    expect(await toEnd(clean, clean.start(wholeLog))).toMatchObject({ status: 'completed' });
    return tableContents(clickhouse);
  }

  const marked = (marks: Record<string, string>, id: string) => REPLAYED_TABLES.filter((table) => marks[table] === replayMark(id));

  it('a crash between two exchanges leaves the run unfinished; resume swaps the rest and equals a clean replay', async () => {
    await wipeReadModel();
    const crashed = runner(failingAfter(clickhouse, EXCHANGE, 2));
    const cut = await toEnd(crashed, crashed.start(wholeLog));
    expect(cut).toMatchObject({ status: 'interrupted', swapStarted: true, error: expect.stringContaining('simulated crash') });
    expect(marked(await liveMarks(clickhouse), cut.id)).toEqual(REPLAYED_TABLES.slice(0, 2));
    // The run holds the shadow tables: no other replay may rebuild them meanwhile.
    await expect(runner().start(wholeLog)).rejects.toBeInstanceOf(ReplayConflictError);

    // Events arrive and are projected (the run gave the projector back): into the new
    // events, but through the views into the old derived tables not yet exchanged.
    await append(10);

    const resuming = runner();
    const resumed = await toEnd(resuming, resuming.resume(cut.id));
    expect(resumed).toMatchObject({ status: 'completed', swapStarted: true, error: undefined });
    expect(marked(await liveMarks(clickhouse), cut.id)).toEqual(REPLAYED_TABLES);
    expect(await shadowTables(clickhouse)).toEqual([]);
    const afterResume = await tableContents(clickhouse);
    for (const table of REPLAYED_TABLES) expect([table, afterResume[table].length > 0]).toEqual([table, true]);
    expect(await uniqueEvents()).toBe(appended);
    expect(afterResume).toEqual(await cleanReplayContents());
  });

  it('resume is safe again and again: a resume cut short itself, then one cut short before the drop', async () => {
    await wipeReadModel();
    const first = runner(failingAfter(clickhouse, EXCHANGE, 1));
    const cut = await toEnd(first, first.start(wholeLog));
    expect(cut).toMatchObject({ status: 'interrupted', swapStarted: true });
    expect(marked(await liveMarks(clickhouse), cut.id)).toEqual(['events']);

    // The second attempt skips `events` and exchanges two more pairs before its own crash.
    const second = runner(failingAfter(clickhouse, EXCHANGE, 2));
    expect(await toEnd(second, second.resume(cut.id))).toMatchObject({ status: 'interrupted' });
    expect(marked(await liveMarks(clickhouse), cut.id)).toEqual(REPLAYED_TABLES.slice(0, 3));

    // The third exchanges the rest and crashes before dropping the old tables.
    const third = runner(failingAfter(clickhouse, SWAP_DROP, 0));
    expect(await toEnd(third, third.resume(cut.id))).toMatchObject({ status: 'interrupted' });
    expect(marked(await liveMarks(clickhouse), cut.id)).toEqual(REPLAYED_TABLES);
    expect(await shadowTables(clickhouse)).toHaveLength(REPLAYED_TABLES.length);

    const last = runner();
    expect(await toEnd(last, last.resume(cut.id))).toMatchObject({ status: 'completed' });
    expect(await shadowTables(clickhouse)).toEqual([]);
    const afterResume = await tableContents(clickhouse);
    expect(afterResume.events).toHaveLength(appended);
    await expect(runner().resume(cut.id)).rejects.toThrow(/completed/);
    expect(afterResume).toEqual(await cleanReplayContents());
  });

  it('never exchanges a shadow table its run did not mark', async () => {
    const before = await liveMarks(clickhouse);
    await createShadowTable(clickhouse);
    // A new shadow does not inherit the live table's mark (CREATE TABLE … AS copies the comment).
    const shadows = await clickhouse.query({
      query: "SELECT DISTINCT comment FROM system.tables WHERE database = currentDatabase() AND endsWith(name, '__replay')",
      format: 'JSONEachRow',
    });
    expect(await shadows.json()).toEqual([{ comment: '' }]);
    await expect(swapShadowIn(clickhouse, 'run-a')).rejects.toThrow(/events__replay was not built by replay run-a/);
    await markShadows(clickhouse, 'run-b');
    await expect(swapShadowIn(clickhouse, 'run-a')).rejects.toThrow(/not built by replay run-a/);
    expect(await liveMarks(clickhouse)).toEqual(before);
    for (const table of REPLAYED_TABLES) await clickhouse.command({ query: `DROP TABLE ${table}__replay` });
  });
});
