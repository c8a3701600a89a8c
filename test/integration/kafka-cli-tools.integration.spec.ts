import { EventEnvelope, partitionKeyOf } from '@waymark/domain';
import { KafkaEventLog } from '@waymark/event-log';
import { Kafka, logLevel } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../apps/cli/src/cli';
import { sessionStarted } from '../support/events';
import { KafkaTestBroker, kafkaTestOptions, recordingLogger, startKafkaBroker } from '../support/kafka-broker';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const TOPIC = 'cli.events';
const PARTITIONS = 3;
const t0 = Date.UTC(2026, 10, 20, 9, 0, 0);

/**
 * The operator's event tools (`events export|tail`, `dlq list|show|redrive`, `lag`) on a
 * distributed deployment's Kafka topics, through the real CLI entry point and the real
 * Kafka protocol (librdkafka's mock cluster). Each scan joins a consumer group of its
 * own, which the mock admits after ~3 s: hence the long timeouts.
 */
describe('waymark event tools on Kafka', () => {
  jest.setTimeout(90_000);
  const tmp = makeTempDir('kafka-cli');
  let broker: KafkaTestBroker;
  let log: KafkaEventLog;
  let env: NodeJS.ProcessEnv;
  const appended: EventEnvelope[] = [];

  async function cli(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, { out: (text) => out.push(text), err: (text) => err.push(text), progress: () => undefined, isTty: false, env });
    return {
      code,
      out,
      err,
      events: () =>
        out
          .flatMap((text) => text.split('\n'))
          .filter(Boolean)
          .map((line) => JSON.parse(line) as EventEnvelope),
    };
  }

  const ids = (events: EventEnvelope[]) => events.map((event) => event.id).sort();

  beforeAll(async () => {
    broker = await startKafkaBroker({ brokerCount: 1, topics: { [TOPIC]: PARTITIONS, [`${TOPIC}.dlq`]: 2 } });
    env = { KAFKA_BROKERS: broker.brokers.join(','), KAFKA_TOPIC: TOPIC, KAFKA_PARTITIONS: String(PARTITIONS), KAFKA_IDEMPOTENT: 'false' };
    log = new KafkaEventLog(kafkaTestOptions(broker.brokers, TOPIC, PARTITIONS), recordingLogger());
    // 30 events of six users a minute apart, and 4 of another product.
    for (let i = 0; i < 30; i += 1) appended.push(sessionStarted(`user-${i % 6}`, t0 + i * 60_000));
    for (let i = 0; i < 4; i += 1) appended.push(sessionStarted(`other-${i}`, t0 + i * 60_000, { product: 'other-product' }));
    await log.append(appended);
  });

  afterAll(async () => {
    await log?.close();
    await broker?.stop();
    tmp.remove();
  });

  it("exports one user's events in the order they were appended", async () => {
    const run = await cli(['events', 'export', '--identifier', 'user-1']);
    expect(run.code).toBe(0);
    expect(run.events().map((event) => event.id)).toEqual(appended.filter((event) => event.identifier === 'user-1').map((event) => event.id));
  });

  it('exports by time range and product, and to a file', async () => {
    const since = t0 + 10 * 60_000;
    const until = t0 + 20 * 60_000;
    const run = await cli([
      'events',
      'export',
      '--product',
      'my-product-tag',
      '--since',
      new Date(since).toISOString(),
      '--until',
      new Date(until).toISOString(),
    ]);
    expect(run.code).toBe(0);
    const expected = appended.filter(
      (event) => event.product === 'my-product-tag' && Date.parse(event.occurredAt) >= since && Date.parse(event.occurredAt) < until,
    );
    expect(expected).toHaveLength(10);
    expect(ids(run.events())).toEqual(ids(expected));

    const file = join(tmp.path, 'all.ndjson');
    const toFile = await cli(['events', 'export', '--out', file]);
    expect(toFile.code).toBe(0);
    expect(toFile.out).toEqual([]);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as EventEnvelope);
    expect(ids(lines)).toEqual(ids(appended));
  });

  it('tails: --once prints what is there; following prints new events until interrupted', async () => {
    const nothing = await cli(['events', 'tail', '--once']);
    expect(nothing.code).toBe(0);
    expect(nothing.out).toEqual([]);
    const everything = await cli(['events', 'tail', '--once', '--last', '1000', '--product', 'other-product']);
    expect(ids(everything.events())).toEqual(ids(appended.filter((event) => event.product === 'other-product')));

    let interrupt: (() => void) | undefined;
    const printed: string[] = [];
    const following = runCli(['events', 'tail', '--identifier', 'late-user'], {
      out: (text) => printed.push(text),
      err: () => undefined,
      env,
      onInterrupt: (stop) => (interrupt = stop),
    });
    // The tail takes the partitions' ends as its start right away, before its group is in.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const late = [sessionStarted('late-user', t0 + 3_600_000), sessionStarted('late-user', t0 + 3_700_000), sessionStarted('someone-else', t0 + 3_800_000)];
    await log.append(late);
    appended.push(...late);
    await waitFor(
      () => printed.length,
      (lines) => lines >= 2,
      30_000,
      100,
    );
    // A moment more: nothing else may come (the third event is someone else's).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    interrupt?.();
    expect(await following).toBe(0);
    expect(printed.map((line) => (JSON.parse(line) as EventEnvelope).id)).toEqual(late.slice(0, 2).map((event) => event.id));
  });

  it('lists, shows and redrives dead letters; a record still malformed stays and fails the command', async () => {
    // A record no projector can read, then a consumer that dead-letters it and one good
    // record (as an older build refusing a newer version would have).
    const producer = new Kafka({ clientId: 'raw', brokers: broker.brokers, logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: 'broken', value: '{"not":"an envelope"' }] });
    await producer.disconnect();
    const total = appended.length + 1;
    const consumer = log.openConsumer('cli-check');
    let seen = 0;
    let refused: EventEnvelope | undefined;
    const deadline = Date.now() + 60_000;
    while (seen < total && Date.now() < deadline) {
      const batch = await consumer.nextBatch(100, 500);
      const letters = batch.records.flatMap((record) => {
        if (record.raw.startsWith('{"not"')) return [{ record, reason: 'malformed JSON' }];
        const event = JSON.parse(record.raw) as EventEnvelope;
        if (event.identifier === 'user-5' && !refused) {
          refused = event;
          return [{ record, reason: 'unknown version 1 of SessionStarted (older build)' }];
        }
        return [];
      });
      await consumer.deadLetter(letters);
      await batch.commit();
      seen += batch.records.length;
    }
    await consumer.close();
    expect(seen).toBe(total);

    const listed = await cli(['dlq', 'list', '--json']);
    expect(listed.code).toBe(0);
    const letters = listed.out.map((line) => JSON.parse(line) as { id: string; consumer: string; source: string; reason: string });
    expect(letters.map((letter) => letter.reason).sort()).toEqual(['malformed JSON', 'unknown version 1 of SessionStarted (older build)']);
    expect(letters.every((letter) => letter.consumer === 'cli-check' && /^cli\.events:\d+:\d+$/.test(letter.source))).toBe(true);

    const good = letters.find((letter) => letter.reason.startsWith('unknown'))!;
    const shown = await cli(['dlq', 'show', good.id]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(JSON.parse(shown.out[0]).record).id).toBe(refused!.id);
    expect((await cli(['dlq', 'show', '9:999'])).code).toBe(1);

    const dry = await cli(['dlq', 'redrive', '--all', '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.out).toEqual([`would redrive ${good.id} (SessionStarted ${refused!.id})`]);
    const redriven = await cli(['dlq', 'redrive', '--all']);
    expect(redriven.code).toBe(1);
    expect(redriven.err.join('\n')).toContain('still not projectable (malformed JSON); left in place');
    expect(redriven.out).toEqual([`redriven ${good.id} (SessionStarted ${refused!.id})`]);

    // Back on the event topic, in its user's partition (same key), and one more record for the group to read.
    const again = await cli(['events', 'export', '--identifier', 'user-5']);
    expect(again.events().filter((event) => event.id === refused!.id)).toHaveLength(2);
    const lag = await cli(['lag', '--group', 'cli-check', '--json']);
    expect(lag.code).toBe(0);
    const [report] = JSON.parse(lag.out[0]) as Array<{ group: string; total: number; partitions: Array<{ partition: string }> }>;
    expect(report).toMatchObject({ group: 'cli-check', total: 1 });
    expect(report.partitions).toHaveLength(PARTITIONS);
    expect(partitionKeyOf(refused!)).toBe(`my-product-tag\u001fsnd\u001fuser-5`);
  });
});
