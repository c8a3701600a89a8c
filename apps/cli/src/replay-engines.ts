import { Logger } from '@nestjs/common';
import { distributedEnvShape, parseEnv } from '@waymark/config';
import { createUuidV7Generator } from '@waymark/domain';
import { KafkaEventLog } from '@waymark/event-log';
import { PersonalDataCodec, RedisUserKeyStore } from '@waymark/privacy';
import { READ_MODEL_GROUP } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { EmbeddedReplayEngine, KafkaReplayEngine, ReplayEngine, ReplayJournal } from '@waymark/replay';
import Redis from 'ioredis';
import { z } from 'zod';
import { CliIo, UsageError } from './cli-command';
import { openCodec } from './cli-keys';
import { openEmbeddedStores } from './embedded-stores';

/** Events per batch of a replay the CLI runs itself (no live projector shares the work). */
const CLI_REPLAY_BATCH = 10_000;

/** A replay engine this command drives in its own process, with what it opened for it. */
export interface LocalReplayEngine {
  engine: ReplayEngine;
  /** What the engine needs before a run starts (not for a dry run). */
  beforeStart(): Promise<void>;
  /** Closes what was opened for the engine (after `engine.shutdown()`). */
  close(): Promise<void>;
}

/** The embedded engine over a STOPPED service's data (chDB's data directory can be open in one process at a time). */
export async function openEmbeddedReplayEngine(dataDir: string): Promise<LocalReplayEngine> {
  const stores = await openEmbeddedStores(dataDir, { whenBusy: 'if the service is running, use --url instead of --data-dir' });
  const codec = codecOrRefusal(() => stores.codec());
  const engine = new EmbeddedReplayEngine(stores.eventLog, stores.clickhouse, new ReplayJournal(stores.db), new Logger('replay'), {
    batchSize: CLI_REPLAY_BATCH,
    newId: createUuidV7Generator(),
    now: Date.now,
    codec: codec.codec,
  });
  return { engine, beforeStart: async () => codec.refuseWithout(), close: () => stores.close() };
}

/**
 * The codec a replay decodes the log with (erased users left out, docs/privacy.md), or
 * why it cannot be had (keys not found, no REDIS_URL): a dry run plans without it, a
 * run is refused without it, since it would write stored forms into the read model.
 */
function codecOrRefusal(open: () => PersonalDataCodec): { codec: PersonalDataCodec | undefined; refuseWithout(): void } {
  try {
    const codec = open();
    return { codec, refuseWithout: () => undefined };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return {
      codec: undefined,
      refuseWithout: () => {
        throw new UsageError(`a replay decodes the stored events with the service's keys: ${error.message}`);
      },
    };
  }
}

/** The Kafka engine beside the running projectors, writing into the ClickHouse server at CLICKHOUSE_URL. */
export function openKafkaReplayEngine(kafka: KafkaEventLog, io: CliIo): LocalReplayEngine {
  const clickhouseUrl = io.env.CLICKHOUSE_URL;
  if (!clickhouseUrl) throw new UsageError('CLICKHOUSE_URL is required for a replay from Kafka');
  if (io.env.CLICKHOUSE_CLUSTER) {
    // The shadow tables and the swap are written for one server (docs/deployment.md, "A ClickHouse cluster").
    throw new UsageError(
      'a replay into a ClickHouse cluster (CLICKHOUSE_CLUSTER) is not supported yet: the shadow tables and the swap are made for one server',
    );
  }
  const clickhouse = createReadModelClient({ kind: 'server', url: clickhouseUrl });
  let redis: Redis | undefined;
  const codec = codecOrRefusal(() => {
    const env = parseEnv(z.object(distributedEnvShape), io.env);
    if (!env.REDIS_URL) throw new UsageError('REDIS_URL: needed to read the user keys that open the stored events');
    // Connects on its first command: a dry run never touches Redis.
    redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
    redis.on('error', () => undefined);
    return openCodec(new RedisUserKeyStore(redis, env.REDIS_KEY_PREFIX), io.env, io.env.DATA_DIR ?? './data', 5000);
  });
  const engine = new KafkaReplayEngine(kafka, clickhouse, new Logger('replay'), {
    batchSize: CLI_REPLAY_BATCH,
    newId: createUuidV7Generator(),
    now: Date.now,
    projectorGroup: READ_MODEL_GROUP,
    codec: codec.codec,
  });
  return {
    engine,
    beforeStart: async () => {
      codec.refuseWithout();
      // The server's schema may be older than this CLI's (the journal is one of its tables).
      await migrateReadModel(clickhouse);
    },
    close: async () => {
      redis?.disconnect();
      await clickhouse.close();
    },
  };
}
