import { z } from 'zod';
import { ConfigError, optionalSetting } from './env';

/** Environment variables of distributed mode, shared by both apps. */
export const distributedEnvShape = {
  KAFKA_BROKERS: optionalSetting,
  KAFKA_TOPIC: z.string().min(1).default('waymark.events'),
  KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(10_000).default(12),
  KAFKA_DEAD_LETTER_TOPIC: optionalSetting,
  KAFKA_CLIENT_ID: z.string().min(1).default('waymark'),
  KAFKA_IDEMPOTENT: z.enum(['true', 'false']).default('true'),
  KAFKA_LINGER_MS: z.coerce.number().min(0).max(1000).default(2),
  KAFKA_APPEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  KAFKA_REBALANCE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60_000),
  KAFKA_HEARTBEAT_MS: z.coerce.number().int().min(100).default(3000),
  // The projector's fetches (docs/kafka.md "Fetch sizes and batches").
  KAFKA_FETCH_MAX_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  KAFKA_FETCH_MIN_BYTES: z.coerce.number().int().min(1).default(1),
  KAFKA_FETCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(10 * 1024 * 1024),
  KAFKA_FETCH_MAX_BYTES_PER_PARTITION: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 * 1024),
  /** Unset: the topic's partition count (KAFKA_PARTITIONS). */
  KAFKA_MAX_PARTITIONS_PER_BATCH: z.coerce.number().int().min(1).optional(),
  CLICKHOUSE_URL: optionalSetting,
  /** The cluster the read model is spread over (ON CLUSTER DDL, Replicated engines, Distributed tables); unset: one server. */
  CLICKHOUSE_CLUSTER: optionalSetting,
  REDIS_URL: optionalSetting,
  REDIS_KEY_PREFIX: z.string().min(1).default('waymark'),
};

type DistributedEnv = z.infer<z.ZodObject<typeof distributedEnvShape>>;

export interface DistributedSettings {
  kafka: {
    brokers: string[];
    clientId: string;
    topic: string;
    partitions: number;
    deadLetterTopic?: string;
    idempotent: boolean;
    lingerMs: number;
    appendTimeoutMs: number;
    consumer: {
      sessionTimeoutMs: number;
      rebalanceTimeoutMs: number;
      heartbeatIntervalMs: number;
      fetchMaxWaitMs: number;
      fetchMinBytes: number;
      fetchMaxBytes: number;
      fetchMaxBytesPerPartition: number;
      maxPartitionsPerBatch?: number;
    };
  };
  clickhouseUrl: string;
  clickhouseCluster?: string;
  redisUrl: string;
  redisKeyPrefix: string;
}

/**
 * Distributed mode is on when its three services are named. Some but not all of them
 * is a mistake worth stopping for: running embedded while the operator expects a
 * cluster would be silent data loss for the cluster.
 */
export function distributedSettingsFrom(
  env: DistributedEnv,
  needs: ReadonlyArray<'KAFKA_BROKERS' | 'CLICKHOUSE_URL' | 'REDIS_URL'>,
): DistributedSettings | undefined {
  const given = needs.filter((name) => env[name]);
  if (given.length === 0) return undefined;
  const missing = needs.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(
      `${missing.join(', ')}: distributed mode needs ${needs.join(', ')}; only ${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set`,
    );
  }
  return {
    kafka: {
      brokers: (env.KAFKA_BROKERS ?? '')
        .split(',')
        .map((broker) => broker.trim())
        .filter(Boolean),
      clientId: env.KAFKA_CLIENT_ID,
      topic: env.KAFKA_TOPIC,
      partitions: env.KAFKA_PARTITIONS,
      deadLetterTopic: env.KAFKA_DEAD_LETTER_TOPIC,
      idempotent: env.KAFKA_IDEMPOTENT === 'true',
      lingerMs: env.KAFKA_LINGER_MS,
      appendTimeoutMs: env.KAFKA_APPEND_TIMEOUT_MS,
      consumer: {
        sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
        rebalanceTimeoutMs: env.KAFKA_REBALANCE_TIMEOUT_MS,
        heartbeatIntervalMs: env.KAFKA_HEARTBEAT_MS,
        fetchMaxWaitMs: env.KAFKA_FETCH_MAX_WAIT_MS,
        fetchMinBytes: env.KAFKA_FETCH_MIN_BYTES,
        fetchMaxBytes: env.KAFKA_FETCH_MAX_BYTES,
        fetchMaxBytesPerPartition: env.KAFKA_FETCH_MAX_BYTES_PER_PARTITION,
        maxPartitionsPerBatch: env.KAFKA_MAX_PARTITIONS_PER_BATCH,
      },
    },
    clickhouseUrl: env.CLICKHOUSE_URL ?? '',
    ...(env.CLICKHOUSE_CLUSTER ? { clickhouseCluster: env.CLICKHOUSE_CLUSTER } : {}),
    redisUrl: env.REDIS_URL ?? '',
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
  };
}
