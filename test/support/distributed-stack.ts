import { ClickHouseTestServer, startClickHouseServer } from './clickhouse-server';
import { KafkaTestBroker, startKafkaBroker } from './kafka-broker';
import { RedisTestServer, startRedisServer } from './redis-server';
import { generatePrivacyKeyFile } from '@waymark/privacy';
import { generateStoredKey } from '@waymark/tokens';

export const TEST_TOPIC = 'waymark.events';
export const TEST_PARTITIONS = 4;

export interface DistributedStack {
  broker: KafkaTestBroker;
  redis: RedisTestServer;
  clickhouse: ClickHouseTestServer;
  /** What the apps need to run distributed against this stack. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Kafka (librdkafka's mock cluster), Redis and "a ClickHouse server" (the test front on
 * chDB), each a process of its own, for tests that run Waymark distributed.
 */
export async function startDistributedStack(): Promise<DistributedStack> {
  const [broker, redis, clickhouse] = await Promise.all([
    startKafkaBroker({ brokerCount: 1, topics: { [TEST_TOPIC]: TEST_PARTITIONS, [`${TEST_TOPIC}.dlq`]: 1 } }),
    startRedisServer(),
    startClickHouseServer(),
  ]);
  return {
    broker,
    redis,
    clickhouse,
    env: {
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_TOPIC: TEST_TOPIC,
      KAFKA_PARTITIONS: String(TEST_PARTITIONS),
      // The mock broker has no controller to hand out producer ids (design brief §4).
      KAFKA_IDEMPOTENT: 'false',
      // The mock holds a group for a session timeout after a member leaves: keep it short.
      KAFKA_SESSION_TIMEOUT_MS: '3000',
      KAFKA_REBALANCE_TIMEOUT_MS: '3000',
      KAFKA_HEARTBEAT_MS: '300',
      CLICKHOUSE_URL: clickhouse.url,
      REDIS_URL: redis.url,
      // One set of keys for every process of the stack (API instances, projectors, CLI),
      // as a deployment shares them: the log they write must open in each of them.
      TOKEN_KEYS: JSON.stringify({ keys: [generateStoredKey()] }),
      PRIVACY_KEYS: JSON.stringify(generatePrivacyKeyFile()),
    },
    stop: async () => {
      await Promise.allSettled([broker.stop(), redis.stop(), clickhouse.stop()]);
    },
  };
}
