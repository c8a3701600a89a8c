import { ClickHouseClient } from '@clickhouse/client';
import { EventEnvelope } from '@waymark/domain';
import { KafkaEventLog } from '@waymark/event-log';
import { EventsProjection, Projector } from '@waymark/projection';
import { JourneyRepository, createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { KafkaReplayProgress, replayFromKafka } from '@waymark/replay';
import { join } from 'node:path';
import { runCli } from '../../apps/cli/src/cli';
import { sessionStarted } from '../support/events';
import { KafkaTestBroker, kafkaTestOptions, recordingLogger, startKafkaBroker } from '../support/kafka-broker';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const TOPIC = 'replayed.events';
const PARTITIONS = 4;
const projectorOptions = { group: 'read-model', maxBatch: 200, maxWaitMs: 100, retryBaseMs: 10, retryMaxMs: 100 };
const key = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };

/**
 * Replay of the whole read model from Kafka while a live projector keeps projecting and
 * events keep arriving: no event missing afterwards, none counted twice (real Kafka
 * protocol on the mock broker, real ClickHouse SQL on chDB).
 */
describe('replay from Kafka beside a running projector', () => {
  jest.setTimeout(120_000);
  const dir = makeTempDir('kafka-replay');
  let broker: KafkaTestBroker;
  let log: KafkaEventLog;
  let clickhouse: ClickHouseClient;
  let projector: Projector;
  const appended: EventEnvelope[] = [];
  let clock = Date.UTC(2026, 10, 1);

  const nextEvents = (count: number) => Array.from({ length: count }, (_, i) => sessionStarted(`replay-user-${(appended.length + i) % 25}`, (clock += 1000)));

  async function append(count: number): Promise<void> {
    const events = nextEvents(count);
    await log.append(events);
    appended.push(...events);
  }

  async function readModel(): Promise<{ rows: number; unique: number; sessions: number }> {
    const result = await clickhouse.query({
      query: `SELECT (SELECT count() FROM events) AS rows, (SELECT uniqExact(event_id) FROM events) AS unique,
                     (SELECT uniqExact(session_id) FROM sessions) AS sessions`,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ rows: string; unique: string; sessions: string }>();
    return { rows: Number(row.rows), unique: Number(row.unique), sessions: Number(row.sessions) };
  }

  beforeAll(async () => {
    broker = await startKafkaBroker({ brokerCount: 1, topics: { [TOPIC]: PARTITIONS, [`${TOPIC}.dlq`]: 1 } });
    log = new KafkaEventLog(kafkaTestOptions(broker.brokers, TOPIC, PARTITIONS), recordingLogger());
    clickhouse = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'clickhouse') });
    await migrateReadModel(clickhouse);
    projector = new Projector(log.openConsumer('read-model'), new EventsProjection(clickhouse), recordingLogger(), projectorOptions);
    projector.start();
  });

  afterAll(async () => {
    await projector?.stop();
    await log?.close();
    await clickhouse?.close();
    await broker?.stop();
    dir.remove();
  });

  it('rebuilds a wiped read model while events keep arriving: every event once, sessions table too', async () => {
    await append(400);
    await waitFor(readModel, (model) => model.unique === 400, 60_000, 200);
    // The read model is lost; the log is not.
    await clickhouse.command({ query: 'TRUNCATE TABLE events' });
    await clickhouse.command({ query: 'TRUNCATE TABLE sessions' });
    expect((await readModel()).unique).toBe(0);

    // Appends go on during the whole replay, and the projector keeps projecting them.
    let appending = true;
    const appender = (async () => {
      while (appending) {
        await append(10);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const phases: KafkaReplayProgress[] = [];
    const result = await replayFromKafka(log, clickhouse, { runId: 'test-1', batchSize: 64, onProgress: (progress) => phases.push(progress) });
    appending = false;
    await appender;

    expect(result.replayed).toBeGreaterThanOrEqual(400);
    expect(result.skipped).toBe(0);
    expect(phases.map((progress) => progress.phase)).toEqual(expect.arrayContaining(['replaying', 'swapping', 'catching-up', 'done']));
    expect(phases[phases.length - 1]).toMatchObject({ phase: 'done', processed: result.replayed + result.caughtUp });

    const total = appended.length;
    const model = await waitFor(readModel, (current) => current.unique === total && current.sessions === total, 60_000, 200);
    expect(model).toMatchObject({ unique: total, sessions: total });
    // Stored duplicates are possible (an event both caught up and projected); answers count each once.
    const journeys = new JourneyRepository(clickhouse);
    const user = 'replay-user-7';
    const journey = await journeys.find({ ...key, identifier: user }, 1000);
    expect(journey.events.map((event) => event.id).sort()).toEqual(appended.filter((event) => event.identifier === user).map((event) => event.id).sort());
  });

  it('plans with --dry-run from the CLI and refuses what the Kafka replay does not do', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const env = { KAFKA_BROKERS: broker.brokers.join(','), KAFKA_TOPIC: TOPIC, KAFKA_PARTITIONS: String(PARTITIONS), KAFKA_IDEMPOTENT: 'false', CLICKHOUSE_URL: 'http://127.0.0.1:1' };
    const io = { out: (text: string) => out.push(text), err: (text: string) => err.push(text), progress: () => undefined, isTty: false, env };
    expect(await runCli(['replay', '--dry-run'], io)).toBe(0);
    expect(out.join('\n')).toContain(`${appended.length.toLocaleString('en-US')} records`);
    expect(await runCli(['replay', '--product', 'my-product-tag'], io)).toBe(2);
    expect(err.join('\n')).toContain('whole topic');
  });
});
