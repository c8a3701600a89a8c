import { ClickHouseClient } from '@clickhouse/client';
import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { EVENT_LOG, EventLog, KafkaEventLog, KafkaEventLogOptions, SqliteEventLog } from '@waymark/event-log';
import { CLICKHOUSE, ReadModelConnection, createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { RedisSessionStore, RedisSpecStore, SESSION_STORE, SPEC_STORE, SqliteSessionStore, SqliteSpecStore } from '@waymark/session-store';
import Redis from 'ioredis';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { join } from 'node:path';

export const EMBEDDED_DATABASE = Symbol('EMBEDDED_DATABASE');

export interface EmbeddedStorageOptions {
  dataDir: string;
}

/** Where each embedded store keeps its files under DATA_DIR. */
export function embeddedPaths(dataDir: string) {
  return { database: join(dataDir, 'waymark.db'), clickhouse: join(dataDir, 'clickhouse') };
}

/**
 * Closes the stores last, after the HTTP server and the projector have stopped, so
 * queued writes commit and chDB releases its data directory lock.
 */
@Injectable()
class EmbeddedStorageLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('storage');

  constructor(
    @Inject(EMBEDDED_DATABASE) private readonly db: SqliteConnection,
    private readonly writer: GroupCommitWriter,
    @Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.writer.close();
    await this.clickhouse.close();
    this.db.close();
    this.logger.log('embedded stores closed');
  }
}

export interface KafkaClickHouseOptions {
  kafka: KafkaEventLogOptions;
  clickhouseUrl: string;
}

async function migratedClient(connection: ReadModelConnection): Promise<ClickHouseClient> {
  const client = createReadModelClient(connection);
  const report = await migrateReadModel(client);
  if (report.applied.length > 0) new Logger('read-model').log({ applied: report.applied, version: report.current }, 'migrations applied');
  return client;
}

/** Flushes and leaves Kafka, closes the ClickHouse client: last, after the apps stopped. */
@Injectable()
class DistributedStorageLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_LOG) private readonly eventLog: KafkaEventLog,
    @Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.eventLog.close();
    await this.clickhouse.close();
    new Logger('storage').log('Kafka and ClickHouse connections closed');
  }
}

export const REDIS = Symbol('REDIS');

export interface DistributedStorageOptions extends KafkaClickHouseOptions {
  redisUrl: string;
  redisKeyPrefix: string;
}

/** Closes the Redis stores (their subscriber connection and timers) and the client. */
@Injectable()
class RedisStorageLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(SESSION_STORE) private readonly sessions: RedisSessionStore,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.sessions.close();
    await this.redis.quit();
  }
}

/** Provides the ports (event log, session store, read model client) for a mode. */
@Module({})
export class StorageModule {
  /** The API in distributed mode: Kafka, a ClickHouse server, and session state in Redis. */
  static distributed(options: DistributedStorageOptions): DynamicModule {
    const base = StorageModule.kafkaAndClickHouse(options);
    return {
      ...base,
      providers: [
        ...(base.providers ?? []),
        {
          provide: REDIS,
          useFactory: async () => {
            const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
            await redis.connect();
            return redis;
          },
        },
        {
          provide: SESSION_STORE,
          useFactory: (redis: Redis, eventLog: EventLog) =>
            new RedisSessionStore(redis, eventLog, options.redisKeyPrefix, { clock: Date.now, logger: new Logger('redis-sessions') }),
          inject: [REDIS, EVENT_LOG],
        },
        {
          provide: SPEC_STORE,
          useFactory: (redis: Redis, eventLog: EventLog) => new RedisSpecStore(redis, eventLog, options.redisKeyPrefix, new Logger('redis-specs')),
          inject: [REDIS, EVENT_LOG],
        },
        RedisStorageLifecycle,
      ],
      exports: [...(base.exports ?? []), REDIS, SESSION_STORE, SPEC_STORE],
    };
  }

  /**
   * Distributed mode's event log and read model: Kafka and a ClickHouse server. Connects
   * to Kafka at start so a missing topic or a wrong partition count stops start-up.
   */
  static kafkaAndClickHouse(options: KafkaClickHouseOptions): DynamicModule {
    return {
      module: StorageModule,
      global: true,
      providers: [
        {
          provide: EVENT_LOG,
          useFactory: async () => {
            const log = new KafkaEventLog(options.kafka, new Logger('kafka'));
            await log.connect();
            return log;
          },
        },
        { provide: CLICKHOUSE, useFactory: () => migratedClient({ kind: 'server', url: options.clickhouseUrl }) },
        DistributedStorageLifecycle,
      ],
      exports: [EVENT_LOG, CLICKHOUSE],
    };
  }

  static embedded(options: EmbeddedStorageOptions): DynamicModule {
    const paths = embeddedPaths(options.dataDir);
    return {
      module: StorageModule,
      global: true,
      providers: [
        { provide: EMBEDDED_DATABASE, useFactory: () => openEmbeddedDatabase(paths.database) },
        { provide: GroupCommitWriter, useFactory: (db: SqliteConnection) => new GroupCommitWriter(db), inject: [EMBEDDED_DATABASE] },
        {
          provide: SqliteEventLog,
          useFactory: (db: SqliteConnection, writer: GroupCommitWriter) => new SqliteEventLog(db, writer),
          inject: [EMBEDDED_DATABASE, GroupCommitWriter],
        },
        { provide: EVENT_LOG, useExisting: SqliteEventLog },
        {
          provide: SESSION_STORE,
          useFactory: (db: SqliteConnection, writer: GroupCommitWriter, log: SqliteEventLog) => new SqliteSessionStore(db, writer, log),
          inject: [EMBEDDED_DATABASE, GroupCommitWriter, SqliteEventLog],
        },
        {
          provide: SPEC_STORE,
          useFactory: (db: SqliteConnection, writer: GroupCommitWriter, log: SqliteEventLog) => new SqliteSpecStore(db, writer, log),
          inject: [EMBEDDED_DATABASE, GroupCommitWriter, SqliteEventLog],
        },
        { provide: CLICKHOUSE, useFactory: () => migratedClient({ kind: 'chdb', path: paths.clickhouse }) },
        EmbeddedStorageLifecycle,
      ],
      exports: [EVENT_LOG, SqliteEventLog, SESSION_STORE, SPEC_STORE, CLICKHOUSE, GroupCommitWriter, EMBEDDED_DATABASE],
    };
  }
}
