import { ClickHouseClient } from '@clickhouse/client';
import { SqliteEventLog } from '@waymark/event-log';
import { PersonalDataCodec, SqliteUserKeyStore } from '@waymark/privacy';
import { MigrationReport, createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { DataDirLock, DataDirLockedError, GroupCommitWriter, SqliteConnection, lockDataDir, openEmbeddedDatabase } from '@waymark/sqlite';
import { embeddedPaths } from '@waymark/storage';
import { existsSync } from 'node:fs';
import { UsageError } from './cli-command';
import { openCodec } from './cli-keys';

/** A stopped embedded service's stores, held by this command until `close()`. */
export interface EmbeddedStores {
  paths: ReturnType<typeof embeddedPaths>;
  db: SqliteConnection;
  writer: GroupCommitWriter;
  eventLog: SqliteEventLog;
  /** Decodes stored events with the service's keys (replay); opened on first use. */
  codec(): PersonalDataCodec;
  clickhouse: ClickHouseClient;
  /** What bringing the read model's schema up to date applied on opening. */
  migrations: MigrationReport;
  /** Closes the stores, then lets DATA_DIR go. */
  close(): Promise<void>;
}

export interface OpenEmbeddedStoresOptions {
  /** Said after the refusal when another process holds DATA_DIR (or chDB will not open): what to do instead. */
  whenBusy: string;
  /** `migrate` may start a store from nothing; the others need one that exists (a typo in --data-dir must not create one). */
  create?: boolean;
}

/**
 * Opens the stores of a STOPPED embedded service for a command that needs them to
 * itself (replay --data-dir, log repair, migrate): DATA_DIR's lock first, then SQLite,
 * then chDB with its schema migrated.
 *
 * Why the lock, when chDB refuses a second process anyway: chDB's refusal comes late
 * and says only that it failed to create a connection, after this process has already
 * opened SQLite, which in WAL mode lets it write beside the service (a repair choosing
 * log positions while the service appends). The lock refuses before anything is
 * opened, naming DATA_DIR and the pid that holds it; and while the command runs, the
 * service (or a second command) cannot start on the same data. The kernel drops the
 * lock if the command dies, so an interrupted command leaves nothing to clean up.
 */
export async function openEmbeddedStores(dataDir: string, options: OpenEmbeddedStoresOptions): Promise<EmbeddedStores> {
  const paths = embeddedPaths(dataDir);
  if (!options.create && !existsSync(paths.database)) throw new UsageError(`no embedded database at ${paths.database} (give --data-dir)`);
  const lock = takeLock(dataDir, options.whenBusy);
  const opened: Array<() => unknown> = [() => lock.release()];
  try {
    const db = openEmbeddedDatabase(paths.database);
    opened.unshift(() => db.close());
    const writer = new GroupCommitWriter(db);
    opened.unshift(() => writer.close());
    let clickhouse: ClickHouseClient;
    let migrations: MigrationReport;
    try {
      clickhouse = createReadModelClient({ kind: 'chdb', path: paths.clickhouse });
      opened.unshift(() => clickhouse.close());
      migrations = await migrateReadModel(clickhouse);
    } catch (error) {
      throw new Error(`cannot open the read model at ${paths.clickhouse} (${(error as Error).message}); ${options.whenBusy}`, { cause: error });
    }
    let codec: PersonalDataCodec | undefined;
    const codecOf = () => {
      if (codec) return codec;
      const keys = SqliteUserKeyStore.open(paths.userKeys);
      opened.unshift(() => keys.close());
      return (codec = openCodec(keys, process.env, dataDir));
    };
    return { paths, db, writer, eventLog: new SqliteEventLog(db, writer), codec: codecOf, clickhouse, migrations, close: () => closeAll(opened) };
  } catch (error) {
    await closeAll(opened).catch(() => undefined);
    throw error;
  }
}

function takeLock(dataDir: string, whenBusy: string): DataDirLock {
  try {
    return lockDataDir(dataDir);
  } catch (error) {
    // "Not writable" keeps its own message: stopping a service would not help there.
    if (error instanceof DataDirLockedError) throw new Error(`${error.message}; ${whenBusy}`, { cause: error });
    throw error;
  }
}

/** Newest first, each one even when an earlier one fails; the lock is always last. */
async function closeAll(opened: Array<() => unknown>): Promise<void> {
  let failure: unknown;
  for (const close of opened) {
    try {
      await close();
    } catch (error) {
      failure ??= error;
    }
  }
  opened.length = 0;
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error('closing the stores failed', { cause: failure });
}
