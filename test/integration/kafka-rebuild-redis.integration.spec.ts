import { SessionRecord, SessionSpec, createUuidV7Generator, decideExtend, decideRevoke, decideStartSession } from '@waymark/domain';
import { KafkaEventLog } from '@waymark/event-log';
import { generatePrivacyKeyFile } from '@waymark/privacy';
import { generateStoredKey } from '@waymark/tokens';
import { REBUILT_REFRESH_TOKEN_HASH, RedisSessionStore } from '@waymark/session-store';
import { Redis } from 'ioredis';
import { runCli } from '../../apps/cli/src/cli';
import { CliIo } from '../../apps/cli/src/cli-command';
import { KafkaTestBroker, kafkaTestOptions, recordingLogger, startKafkaBroker } from '../support/kafka-broker';
import { RedisTestServer, startRedisServer } from '../support/redis-server';

const TOPIC = 'rebuild.events';
const PARTITIONS = 4;
const PREFIX = 'waymark';
const DAY = 86_400_000;
const meta = { source: 'test' };
const spec: SessionSpec = { tag: 'web', name: 'Web', selector: 'userId', expiry: { value: 15, unit: 'minutes' }, refreshExpiry: { value: 30, unit: 'days' } };
const newId = createUuidV7Generator();

function cliIo(env: Record<string, string>): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (text) => void stdout.push(text), err: (text) => void stderr.push(text), env, isTty: false };
}

/** `waymark rebuild-redis` against a real Redis, reading the log from the Kafka mock broker. */
describe('waymark rebuild-redis (Kafka log → Redis)', () => {
  let broker: KafkaTestBroker;
  let redisServer: RedisTestServer;
  let redis: Redis;
  let log: KafkaEventLog;
  let env: Record<string, string>;

  beforeAll(async () => {
    [broker, redisServer] = await Promise.all([startKafkaBroker({ brokerCount: 1, topics: { [TOPIC]: PARTITIONS, [`${TOPIC}.dlq`]: 1 } }), startRedisServer()]);
    redis = new Redis(redisServer.url);
    log = new KafkaEventLog(kafkaTestOptions(broker.brokers, TOPIC, PARTITIONS), recordingLogger());
    env = {
      REDIS_URL: redisServer.url,
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_TOPIC: TOPIC,
      KAFKA_PARTITIONS: String(PARTITIONS),
      KAFKA_SESSION_TIMEOUT_MS: '3000',
      KAFKA_REBALANCE_TIMEOUT_MS: '3000',
      KAFKA_HEARTBEAT_MS: '300',
      // The service's keys: the command decodes what the log stores (docs/privacy.md).
      TOKEN_KEYS: JSON.stringify({ keys: [generateStoredKey()] }),
      PRIVACY_KEYS: JSON.stringify(generatePrivacyKeyFile()),
    };
  });

  afterAll(async () => {
    await log?.close();
    redis?.disconnect();
    await Promise.allSettled([broker?.stop(), redisServer?.stop()]);
  });

  it('refuses without REDIS_URL or without --yes (exit 2), and fails with exit 1 when Redis does not answer', async () => {
    const { REDIS_URL: _unused, ...withoutRedis } = env;
    const noRedis = cliIo(withoutRedis);
    expect(await runCli(['rebuild-redis', '--yes'], noRedis)).toBe(2);
    expect(noRedis.stderr.join('\n')).toContain('REDIS_URL is not set');

    const noYes = cliIo(env);
    expect(await runCli(['rebuild-redis'], noYes)).toBe(2);
    expect(noYes.stderr.join('\n')).toContain('--yes');

    const help = cliIo(env);
    expect(await runCli(['rebuild-redis', '--help'], help)).toBe(0);
    expect(help.stdout.join('\n')).toContain('Exit codes');

    // Port 1 on loopback: nothing listens there.
    const down = cliIo({ ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await runCli(['rebuild-redis', '--yes'], down)).toBe(1);
    expect(down.stderr.join('\n')).toContain('cannot reach Redis');
  });

  it('after Redis lost everything, rebuilds from the topic what the store answered before (refresh secrets aside)', async () => {
    const store = new RedisSessionStore(redis, log, PREFIX);
    const now = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      const sessionId = newId();
      const started = decideStartSession({
        product: 'shop',
        env: 'prd',
        tag: 'web',
        identifier: `user-${i % 13}`,
        spec,
        sessionId,
        eventId: newId(),
        now: now - i * 1000,
        sealedData: `sealed-${sessionId}`,
        refreshTokenHash: `hash-${sessionId}`,
        meta,
      });
      await store.create(started.record, [started.event]);
      ids.push(sessionId);
    }
    // Some later changes, so the fold has more than starts to replay.
    const first = (await store.find(ids[0])) as SessionRecord;
    const revoked = decideRevoke(first, 'requested', { now: now + 10, eventId: newId(), meta });
    if (!revoked) throw new Error('expected a revocation');
    expect(await store.update(revoked.record, first.version, [revoked.event])).toBe(true);
    const second = (await store.find(ids[1])) as SessionRecord;
    const extended = decideExtend(second, DAY, { now: now + 20, eventId: newId(), meta });
    if (extended.kind !== 'extended') throw new Error('expected an extension');
    expect(await store.update(extended.record, second.version, [extended.event])).toBe(true);

    const before = await Promise.all(ids.map((id) => store.find(id)));
    const revokedBefore = await store.listRevoked(now);
    await redis.flushall();
    expect(await store.find(ids[0])).toBeUndefined();

    const io = cliIo(env);
    const code = await runCli(['rebuild-redis', '--yes', '--json'], io);
    expect(io.stderr.join('\n')).toContain('events read');
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout.join(''))).toEqual({ events: 42, sessions: 40, specs: 0, ignored: 0, duplicates: 0, erased: 0 });

    const withoutSecrets = (record: SessionRecord | undefined) =>
      record && { ...record, refreshTokenHash: REBUILT_REFRESH_TOKEN_HASH, spentRefreshTokenHashes: [], lastRefreshSealed: null };
    const rebuilt = new RedisSessionStore(redis, log, PREFIX);
    expect(await Promise.all(ids.map((id) => rebuilt.find(id)))).toEqual(before.map(withoutSecrets));
    expect(await rebuilt.listRevoked(now)).toEqual(revokedBefore);
    await rebuilt.close();
    await store.close();
  }, 90_000);
});
