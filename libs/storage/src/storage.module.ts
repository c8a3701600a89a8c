import { ClickHouseClient } from '@clickhouse/client';
import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { EVENT_LOG, SqliteEventLog } from '@waymark/event-log';
import { CLICKHOUSE, createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { SESSION_STORE, SPEC_STORE, SqliteSessionStore, SqliteSpecStore } from '@waymark/session-store';
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

/** Provides the ports (event log, session store, read model client) for a mode. */
@Module({})
export class StorageModule {
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
        {
          provide: CLICKHOUSE,
          useFactory: async () => {
            const client = createReadModelClient({ kind: 'chdb', path: paths.clickhouse });
            const report = await migrateReadModel(client);
            if (report.applied.length > 0) {
              new Logger('read-model').log({ applied: report.applied, version: report.current }, 'migrations applied');
            }
            return client;
          },
        },
        EmbeddedStorageLifecycle,
      ],
      exports: [EVENT_LOG, SqliteEventLog, SESSION_STORE, SPEC_STORE, CLICKHOUSE, GroupCommitWriter, EMBEDDED_DATABASE],
    };
  }
}
