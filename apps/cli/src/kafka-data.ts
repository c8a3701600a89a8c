import { LoggerService } from '@nestjs/common';
import { distributedEnvShape, distributedSettingsFrom, parseEnv } from '@waymark/config';
import { KafkaEventLog } from '@waymark/event-log';
import { PersonalDataCodec, RedisUserKeyStore } from '@waymark/privacy';
import Redis from 'ioredis';
import { z } from 'zod';
import { CliIo, UsageError } from './cli-command';
import { openCodec } from './cli-keys';

/**
 * The Kafka event log of a distributed deployment, when the CLI runs in its
 * environment: `KAFKA_BROKERS` set and no `--data-dir` given (which names an embedded
 * service's data and wins). Undefined means "use the embedded data".
 */
export function openKafkaLog(dataDir: string | undefined, io: CliIo): KafkaEventLog | undefined {
  if (dataDir !== undefined || !io.env.KAFKA_BROKERS) return undefined;
  const env = parseEnv(z.object(distributedEnvShape), io.env);
  const settings = distributedSettingsFrom(env, ['KAFKA_BROKERS']);
  if (!settings) return undefined;
  return new KafkaEventLog({ ...settings.kafka, clientId: `${settings.kafka.clientId}-cli` }, cliLogger(io));
}

/** kafkajs's and the adapter's warnings and errors on stderr; nothing else. */
function cliLogger(io: CliIo): LoggerService {
  const text = (message: unknown) =>
    typeof message === 'string' ? message : JSON.stringify(message, (_key, value: unknown) => (value instanceof Error ? value.message : value));
  return {
    log: () => undefined,
    warn: (message: unknown, ...rest: unknown[]) => io.err(`warning: ${text(rest.length > 0 && typeof rest[0] === 'string' ? rest[0] : message)}`),
    error: (message: unknown) => io.err(`error: ${text(message)}`),
  };
}

/**
 * The codec for a distributed deployment's stored events: the user keys in its Redis
 * (REDIS_URL, REDIS_KEY_PREFIX) and the key settings of the service (cli-keys.ts).
 * `close()` quits the Redis client.
 */
export async function openKafkaCodec(io: CliIo, dataDir = io.env.DATA_DIR ?? './data'): Promise<{ codec: PersonalDataCodec; close(): Promise<void> }> {
  const env = parseEnv(z.object(distributedEnvShape), io.env);
  if (!env.REDIS_URL) throw new UsageError('REDIS_URL: needed to read the user keys that open the stored events (docs/privacy.md)');
  const redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    return { codec: openCodec(new RedisUserKeyStore(redis, env.REDIS_KEY_PREFIX), io.env, dataDir, 5000), close: async () => void (await redis.quit()) };
  } catch (error) {
    await redis.quit();
    throw error;
  }
}
