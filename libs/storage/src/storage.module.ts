import { ClickHouseClient } from '@clickhouse/client';
import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown, Optional } from '@nestjs/common';
import { EVENT_LOG, EventLog, KafkaEventLog, KafkaEventLogOptions, SqliteEventLog, SqliteLogFacts } from '@waymark/event-log';
import { LOG_REPEAT_INTERVAL_MS, LogThrottle, ThrottledLogger } from '@waymark/logging';
import { CLICKHOUSE, ReadModelConnection, createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { RedisSessionStore, RedisSpecStore, SESSION_STORE, SPEC_STORE, SqliteSessionStore, SqliteSpecStore } from '@waymark/session-store';
import Redis from 'ioredis';
import { CombinedWriteFailureState, GroupCommitWriter, SqliteConnection, WriteFailureState, openEmbeddedDatabase } from '@waymark/sqlite';
import { join } from 'node:path';
import { LOG_INTEGRITY, LogIntegrityMonitor, checkEmbeddedLogIntegrity, checkKafkaLogIntegrity } from './log-integrity';
import { PersonalDataCodec, RedisUserKeyStore, SqliteUserKeyStore, USER_KEY_STORE, UserKeyStore } from '@waymark/privacy';
import { DISTRIBUTED_USER_KEY_CACHE_MS, PRIVACY_EXPORTS, PrivacyKeySettings, privacyProviders } from './privacy.providers';

export const EMBEDDED_DATABASE = Symbol('EMBEDDED_DATABASE');

/**
 * The event log's write failure state (WriteFailureState): the group-commit writer's in
 * embedded mode, the Kafka producer's appends in distributed mode. Readiness reads it.
 */
export const LOG_WRITE_FAILURES = Symbol('LOG_WRITE_FAILURES');

/** The consumer group whose commits the distributed integrity check compares (the projectors'). */
const READ_MODEL_GROUP = 'read-model';

/** A logger whose repeated warnings and errors are written once per interval with a count. */
function throttledLogger(context: string): ThrottledLogger {
  return new ThrottledLogger(new Logger(context), new LogThrottle({ intervalMs: LOG_REPEAT_INTERVAL_MS }), context);
}

/**
 * Records each append's outcome in `failures`, from outside the Kafka adapter (which
 * stays free of readiness concerns): set while Kafka does not acknowledge, cleared by
 * the next append it does.
 */
function trackAppendFailures(log: KafkaEventLog, failures: WriteFailureState): void {
  const append = log.append.bind(log);
  log.append = async (events) => {
    try {
      await append(events);
    } catch (error) {
      failures.recordFailure(error);
      throw error;
    }
    if (events.length > 0) failures.recordSuccess();
  };
}

async function startedMonitor(monitor: LogIntegrityMonitor): Promise<LogIntegrityMonitor> {
  await monitor.run();
  return monitor;
}

export interface EmbeddedStorageOptions {
  dataDir: string;
  privacyKeys: PrivacyKeySettings;
}

/**
 * Where each embedded store keeps its files under DATA_DIR. The user keys have a file
 * of their own: a copy of `waymark.db` (the log) must not carry the keys that open it.
 */
export function embeddedPaths(dataDir: string) {
  return { database: join(dataDir, 'waymark.db'), clickhouse: join(dataDir, 'clickhouse'), userKeys: join(dataDir, 'keys.db') };
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
    @Inject(USER_KEY_STORE) private readonly userKeys: UserKeyStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.writer.close();
    await this.clickhouse.close();
    this.db.close();
    await this.userKeys.close();
    this.logger.log('embedded stores closed');
  }
}

/**
 * Distributed mode's services as every app needs them: Kafka, ClickHouse, and Redis for
 * the user keys (the projector decodes events with them; the API encodes).
 */
export interface KafkaClickHouseOptions {
  kafka: KafkaEventLogOptions;
  clickhouseUrl: string;
  clickhouseCluster?: string;
  redisUrl: string;
  redisKeyPrefix: string;
  privacyKeys: PrivacyKeySettings;
}

async function migratedClient(connection: ReadModelConnection): Promise<ClickHouseClient> {
  const client = createReadModelClient(connection);
  const report = await migrateReadModel(client, undefined, connection.kind === 'server' ? { cluster: connection.cluster } : {});
  if (report.applied.length > 0) new Logger('read-model').log({ applied: report.applied, version: report.current }, 'migrations applied');
  return client;
}

export const REDIS = Symbol('REDIS');

/**
 * Last, after the apps stopped, in order: the Redis session store (its subscriber and
 * timers, API only), Kafka (flushed, group left), ClickHouse, then the Redis client the
 * stores shared. One hook, because Nest runs a module's hooks concurrently.
 */
@Injectable()
class DistributedStorageLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_LOG) private readonly eventLog: KafkaEventLog,
    @Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient,
    @Inject(REDIS) private readonly redis: Redis,
    @Optional() @Inject(SESSION_STORE) private readonly sessions?: RedisSessionStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.sessions?.close();
    await this.eventLog.close();
    await this.clickhouse.close();
    await this.redis.quit();
    new Logger('storage').log('Kafka, ClickHouse and Redis connections closed');
  }
}

export type DistributedStorageOptions = KafkaClickHouseOptions;

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
      ],
      exports: [...(base.exports ?? []), SESSION_STORE, SPEC_STORE],
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
          provide: REDIS,
          useFactory: async () => {
            const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
            await redis.connect();
            return redis;
          },
        },
        { provide: USER_KEY_STORE, useFactory: (redis: Redis) => new RedisUserKeyStore(redis, options.redisKeyPrefix), inject: [REDIS] },
        ...privacyProviders(options.privacyKeys, DISTRIBUTED_USER_KEY_CACHE_MS),
        {
          provide: EVENT_LOG,
          useFactory: async (failures: WriteFailureState, codec: PersonalDataCodec) => {
            const log = new KafkaEventLog(options.kafka, throttledLogger('kafka'), codec);
            trackAppendFailures(log, failures);
            await log.connect();
            return log;
          },
          inject: [LOG_WRITE_FAILURES, PersonalDataCodec],
        },
        { provide: LOG_WRITE_FAILURES, useValue: new WriteFailureState() },
        { provide: CLICKHOUSE, useFactory: () => migratedClient({ kind: 'server', url: options.clickhouseUrl, cluster: options.clickhouseCluster }) },
        {
          provide: LOG_INTEGRITY,
          useFactory: (log: KafkaEventLog, clickhouse: ClickHouseClient) =>
            startedMonitor(
              new LogIntegrityMonitor(async () => checkKafkaLogIntegrity(await log.describeLag(READ_MODEL_GROUP), clickhouse), new Logger('log-integrity')),
            ),
          inject: [EVENT_LOG, CLICKHOUSE],
        },
        DistributedStorageLifecycle,
      ],
      exports: [EVENT_LOG, CLICKHOUSE, LOG_WRITE_FAILURES, LOG_INTEGRITY, REDIS, ...PRIVACY_EXPORTS],
    };
  }

  static embedded(options: EmbeddedStorageOptions): DynamicModule {
    const paths = embeddedPaths(options.dataDir);
    return {
      module: StorageModule,
      global: true,
      providers: [
        { provide: EMBEDDED_DATABASE, useFactory: () => openEmbeddedDatabase(paths.database) },
        {
          provide: GroupCommitWriter,
          useFactory: (db: SqliteConnection) => new GroupCommitWriter(db, throttledLogger('sqlite-writer')),
          inject: [EMBEDDED_DATABASE],
        },
        // The log's commits and the user-key store's: a new user's events wait for their key.
        {
          provide: LOG_WRITE_FAILURES,
          useFactory: (writer: GroupCommitWriter, keys: SqliteUserKeyStore) => new CombinedWriteFailureState([writer.failures, keys.failures]),
          inject: [GroupCommitWriter, USER_KEY_STORE],
        },
        { provide: USER_KEY_STORE, useFactory: () => SqliteUserKeyStore.open(paths.userKeys) },
        ...privacyProviders(options.privacyKeys),
        {
          provide: SqliteEventLog,
          useFactory: (db: SqliteConnection, writer: GroupCommitWriter, codec: PersonalDataCodec) => new SqliteEventLog(db, writer, codec),
          inject: [EMBEDDED_DATABASE, GroupCommitWriter, PersonalDataCodec],
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
        {
          provide: LOG_INTEGRITY,
          useFactory: (db: SqliteConnection, clickhouse: ClickHouseClient) =>
            startedMonitor(
              new LogIntegrityMonitor(() => checkEmbeddedLogIntegrity(new SqliteLogFacts(db), clickhouse, options.dataDir), new Logger('log-integrity')),
            ),
          inject: [EMBEDDED_DATABASE, CLICKHOUSE],
        },
        EmbeddedStorageLifecycle,
      ],
      exports: [
        EVENT_LOG,
        SqliteEventLog,
        SESSION_STORE,
        SPEC_STORE,
        CLICKHOUSE,
        GroupCommitWriter,
        EMBEDDED_DATABASE,
        LOG_WRITE_FAILURES,
        LOG_INTEGRITY,
        ...PRIVACY_EXPORTS,
      ],
    };
  }
}
