import { ClickHouseClient } from '@clickhouse/client';
import { createUuidV7Generator } from '@waymark/domain';
import { KafkaEventLog, SqliteEventLog } from '@waymark/event-log';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { EmbeddedReplayEngine, KafkaReplayEngine, ReplayConflictError, ReplayEngine, ReplayJournal, ReplayRequestError, ReplayRun } from '@waymark/replay';
import { GroupCommitWriter, openEmbeddedDatabase } from '@waymark/sqlite';
import { join } from 'node:path';
import { sessionStarted } from '../support/events';
import { KafkaTestBroker, kafkaTestOptions, recordingLogger, startKafkaBroker } from '../support/kafka-broker';
import { makeTempDir } from '../support/temp-dir';

const EVENTS = 300;
const TOPIC = 'contract.events';

/** An engine over a log of its own, with how to fill that log and close what it opened. */
interface Subject {
  engine: ReplayEngine;
  append(count: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The replay port's contract, run against both adapters: the embedded engine (SQLite
 * log) and the Kafka engine (the mock broker), each writing into chDB. Small batches so
 * that a run has batches to interrupt.
 */
describe('ReplayEngine contract', () => {
  jest.setTimeout(120_000);
  const dir = makeTempDir('replay-contract');
  const newId = createUuidV7Generator();
  let clickhouse: ClickHouseClient;
  let clock = Date.UTC(2026, 10, 20);
  const events = (count: number) => Array.from({ length: count }, (_, i) => sessionStarted(`contract-user-${i % 17}`, (clock += 1000)));

  beforeAll(async () => {
    clickhouse = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'clickhouse') });
    await migrateReadModel(clickhouse);
  });

  afterAll(async () => {
    await clickhouse?.close();
    dir.remove();
  });

  async function openEmbedded(): Promise<Subject> {
    const db = openEmbeddedDatabase(join(dir.path, 'waymark.db'));
    const writer = new GroupCommitWriter(db);
    const log = new SqliteEventLog(db, writer);
    // No live projector: as `waymark replay --data-dir` runs it.
    const engine = new EmbeddedReplayEngine(log, clickhouse, new ReplayJournal(db), recordingLogger(), { batchSize: 10, newId, now: Date.now });
    return {
      engine,
      append: async (count) => void (await log.append(events(count))),
      close: async () => {
        await engine.shutdown();
        writer.close();
        db.close();
      },
    };
  }

  async function openKafka(): Promise<Subject> {
    const broker: KafkaTestBroker = await startKafkaBroker({ brokerCount: 1, topics: { [TOPIC]: 3 } });
    const log = new KafkaEventLog(kafkaTestOptions(broker.brokers, TOPIC, 3), recordingLogger());
    const engine = new KafkaReplayEngine(log, clickhouse, recordingLogger(), { batchSize: 40, newId, now: Date.now, projectorGroup: 'read-model' });
    return {
      engine,
      append: async (count) => void (await log.append(events(count))),
      close: async () => {
        await engine.shutdown();
        await log.close();
        await broker.stop();
      },
    };
  }

  async function eventsInReadModel(): Promise<number> {
    const result = await clickhouse.query({ query: 'SELECT uniqExact(event_id) AS n FROM events', format: 'JSONEachRow' });
    return Number((await result.json<{ n: string }>())[0].n);
  }

  // Positions each log does not have: refused (ReplayRequestError, a 400 at the API) before anything is read or started.
  const foreignPositions = {
    embedded: ['abc', '0', '1.5', '0:12'],
    kafka: ['12', '0:x', '7:0', '2147483647:0', '99999999999:0', `0:${2n ** 63n}`, '0:1,0:2'],
  };

  describe.each([
    ['embedded', openEmbedded],
    ['kafka', openKafka],
  ] as const)('%s adapter', (kind, open) => {
    let subject: Subject;
    let engine: ReplayEngine;
    const started: string[] = [];

    beforeAll(async () => {
      subject = await open();
      engine = subject.engine;
      await subject.append(EVENTS);
    });

    afterAll(async () => {
      await subject?.close();
    });

    async function start(): Promise<ReplayRun> {
      const { run } = await engine.start({ start: { kind: 'beginning' } });
      started.push(run.id);
      return run;
    }

    it('refuses a start position its log does not have, for a plan and a start, and starts nothing', async () => {
      for (const position of foreignPositions[kind]) {
        const request = { start: { kind: 'position', position } } as const;
        await expect(engine.plan(request)).rejects.toBeInstanceOf(ReplayRequestError);
        await expect(engine.start(request)).rejects.toBeInstanceOf(ReplayRequestError);
      }
      expect(await engine.list()).toEqual([]);
    });

    it('names its kind and plans a whole replay without starting one', async () => {
      expect(engine.kind).toBe(kind);
      const { plan, description } = await engine.plan({ start: { kind: 'beginning' } });
      expect(plan).toMatchObject({ events: EVENTS, partial: false, request: { start: { kind: 'beginning' } } });
      expect(description).toContain(`${EVENTS} `);
      expect(await engine.list()).toEqual([]);
    });

    it('runs in the background, tells its progress, and ends completed with every event written once', async () => {
      const seen: ReplayRun[] = [];
      const stop = engine.onProgress((run) => seen.push(run));
      const run = await start();
      expect(run).toMatchObject({ status: 'running', processed: 0, skipped: 0, refused: 0, finishedAt: undefined });
      const done = (await engine.wait(run.id)) as ReplayRun;
      stop();
      expect(done).toMatchObject({
        id: run.id,
        status: 'completed',
        phase: 'done',
        processed: EVENTS,
        replayed: EVENTS,
        skipped: 0,
        refused: 0,
        error: undefined,
        attempt: undefined,
      });
      expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt);
      expect(await engine.status(run.id)).toEqual(done);
      expect(await eventsInReadModel()).toBe(EVENTS);
      // Every batch told, in order, up to the end.
      expect(seen.length).toBeGreaterThan(2);
      expect(seen.every((each) => each.id === run.id)).toBe(true);
      expect(seen.map((each) => each.processed)).toEqual([...seen.map((each) => each.processed)].sort((a, b) => a - b));
      expect(seen.at(-1)).toMatchObject({ status: 'completed', phase: 'done', processed: EVENTS });
    });

    it('refuses a second start while a run is unfinished', async () => {
      const run = await start();
      await expect(engine.start({ start: { kind: 'beginning' } })).rejects.toBeInstanceOf(ReplayConflictError);
      expect(await engine.wait(run.id)).toMatchObject({ status: 'completed' });
    });

    it('a cancelled run stops interrupted after a batch, and resume finishes it without counting anything twice', async () => {
      let cancelled = false;
      const stop = engine.onProgress((run) => {
        if (cancelled || run.processed === 0) return;
        cancelled = true;
        void engine.cancel(run.id);
      });
      const run = await start();
      const interrupted = (await engine.wait(run.id)) as ReplayRun;
      stop();
      expect(interrupted).toMatchObject({ status: 'interrupted', phase: 'replaying', attempt: undefined });
      expect(interrupted.processed).toBeGreaterThan(0);
      expect(interrupted.processed).toBeLessThan(EVENTS);
      expect(interrupted.finishedAt).toBeDefined();
      await expect(engine.start({ start: { kind: 'beginning' } })).rejects.toThrow(`replay ${run.id} is interrupted; resume or finish it first`);

      const resumed = await engine.resume(run.id);
      expect(resumed).toMatchObject({ id: run.id, status: 'running', finishedAt: undefined });
      expect(resumed.attempt).toEqual({ startedAt: expect.any(Number), processedAtStart: interrupted.processed });
      expect(await engine.wait(run.id)).toMatchObject({ status: 'completed', processed: EVENTS, replayed: EVENTS, skipped: 0 });
      expect(await eventsInReadModel()).toBe(EVENTS);
    });

    it('answers nothing for an unknown run, will not cancel a finished one, and refuses to resume either', async () => {
      expect(await engine.status('no-such-run')).toBeUndefined();
      expect(await engine.cancel('no-such-run')).toBe(false);
      await expect(engine.resume('no-such-run')).rejects.toThrow('no replay no-such-run');
      expect(await engine.cancel(started[0])).toBe(false);
      await expect(engine.resume(started[0])).rejects.toThrow(/completed; it cannot be resumed/);
    });

    it('lists its runs newest first, as status answers each', async () => {
      const runs = await engine.list();
      expect(runs.map((run) => run.id)).toEqual([...started].reverse());
      for (const run of runs) expect(await engine.status(run.id)).toEqual(run);
      expect((await engine.list(1)).map((run) => run.id)).toEqual([started.at(-1)]);
    });
  });
});
