import { ConfigError, distributedEnvShape, parseEnv } from '@waymark/config';
import { KafkaEventLogOptions, scanKafkaLog } from '@waymark/event-log';
import { PersonalDataCodec, RedisUserKeyStore } from '@waymark/privacy';
import { RecordSource, readerSource, rebuildRedisStores } from '@waymark/session-store';
import { openCodec } from '../cli-keys';
import Redis from 'ioredis';
import { z } from 'zod';
import { CliCommand, CliIo, EXIT, UsageError } from '../cli-command';
import { openEmbeddedData } from '../embedded-data';
import { ProgressLine } from '../progress-bar';

const USAGE = `waymark rebuild-redis --yes [--data-dir DIR] [--json]

Rebuilds the Redis session and spec stores (REDIS_URL, keys under REDIS_KEY_PREFIX,
default "waymark") from the event log, for a Redis that lost its data. It deletes every
key under the prefix first, then writes the state the log gives: run it with the API
stopped, since changes made meanwhile would be lost.

The log is Kafka when KAFKA_BROKERS is set (KAFKA_TOPIC, KAFKA_PARTITIONS, KAFKA_CLIENT_ID
as for the apps; read by a consumer group of its own that commits nothing), otherwise the
embedded log under --data-dir (or DATA_DIR, default ./data).

The log holds no refresh tokens: rebuilt sessions verify, list, revoke and extend, but
cannot be refreshed (their users start new sessions).

  --yes       required: confirms that the keys under the prefix are replaced
  --json      print the report as JSON
Exit codes: 0 rebuilt, 1 failed (Redis or the log unreachable), 2 usage.`;

const envSchema = z.object({ ...distributedEnvShape, DATA_DIR: z.string().optional() });

/** Folds the event log into a fresh Redis session store (see the usage text). */
export const rebuildRedisCommand: CliCommand = {
  name: 'rebuild-redis',
  summary: 'Rebuild the Redis session store from the event log.',
  usage: USAGE,
  options: { 'data-dir': { type: 'string' }, yes: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    let env: z.infer<typeof envSchema>;
    try {
      env = parseEnv(envSchema, io.env);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
    if (!env.REDIS_URL) throw new UsageError('REDIS_URL is not set: name the Redis to rebuild');
    if (!values.yes) throw new UsageError(`this deletes every key under "${env.REDIS_KEY_PREFIX}:" in ${env.REDIS_URL} first; add --yes to go ahead`);

    const { source, describe, close, codecFor } = openSource(env, values['data-dir'] as string | undefined, io);
    // No retries: a command should fail fast and say so, not hang on a dead server.
    const redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect().catch((error: Error) => {
        throw new Error(`cannot reach Redis at ${env.REDIS_URL}: ${error.message}`);
      });
      // Stored events are decoded (docs/privacy.md): erased users' sessions are not rebuilt.
      // The user keys live in this Redis (under "<prefix>.ukeys:", which the rebuild keeps).
      const codec = codecFor ? codecFor(redis) : undefined;
      io.err(`reading ${describe}`);
      const line = new ProgressLine(io.progress ?? io.err, io.isTty ?? false);
      let read = 0;
      const report = await rebuildRedisStores(source, redis, env.REDIS_KEY_PREFIX, {
        codec,
        onProgress: (events) => {
          read = events;
          line.update(`rebuild-redis: ${events.toLocaleString('en-US')} events read`);
        },
      });
      line.finish(`rebuild-redis: ${read.toLocaleString('en-US')} events read, Redis written`);
      if (values.json) io.out(JSON.stringify(report));
      else {
        io.out(
          `rebuilt "${env.REDIS_KEY_PREFIX}" from ${report.events} events: ${report.sessions} sessions, ${report.specs} specs ` +
            `(${report.ignored} events changed nothing, ${report.duplicates} duplicates skipped)`,
        );
      }
      return EXIT.ok;
    } finally {
      redis.disconnect();
      close();
    }
  },
};

function openSource(
  env: z.infer<typeof envSchema>,
  dataDir: string | undefined,
  io: CliIo,
): { source: RecordSource; describe: string; codecFor?: (redis: Redis) => PersonalDataCodec; close: () => void } {
  if (env.KAFKA_BROKERS) {
    const options: KafkaEventLogOptions = {
      brokers: env.KAFKA_BROKERS.split(',')
        .map((broker) => broker.trim())
        .filter(Boolean),
      clientId: env.KAFKA_CLIENT_ID,
      topic: env.KAFKA_TOPIC,
      partitions: env.KAFKA_PARTITIONS,
      consumer: {
        sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
        rebalanceTimeoutMs: env.KAFKA_REBALANCE_TIMEOUT_MS,
        heartbeatIntervalMs: env.KAFKA_HEARTBEAT_MS,
      },
    };
    const logger = { log: () => undefined, warn: (...args: unknown[]) => io.err(lastText(args)), error: (...args: unknown[]) => io.err(lastText(args)) };
    return {
      source: async (onRecords) => {
        const report = await scanKafkaLog(options, logger, onRecords);
        if (report.records < report.expected) throw new Error(`read ${report.records} of the ${report.expected} records in "${options.topic}"`);
      },
      describe: `the Kafka topic "${env.KAFKA_TOPIC}" on ${env.KAFKA_BROKERS}`,
      codecFor: (redis) => openCodec(new RedisUserKeyStore(redis, env.REDIS_KEY_PREFIX), io.env, dataDir ?? env.DATA_DIR ?? './data', 5000),
      close: () => undefined,
    };
  }
  const data = openEmbeddedData(dataDir ?? env.DATA_DIR, io.env);
  return { source: readerSource(data.eventLog.openReader()), describe: 'the embedded log', codecFor: () => data.codec(), close: () => data.close() };
}

function lastText(args: unknown[]): string {
  return `kafka: ${args.filter((arg) => typeof arg === 'string').join(' ')}`;
}
