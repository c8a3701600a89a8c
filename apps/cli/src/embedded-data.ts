import { SqliteEventLog } from '@waymark/event-log';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { embeddedPaths } from '@waymark/storage';
import { existsSync } from 'node:fs';
import { UsageError } from './cli-command';

export interface EmbeddedData {
  db: SqliteConnection;
  eventLog: SqliteEventLog;
  writer: GroupCommitWriter;
  close(): void;
}

/**
 * Opens an embedded service's SQLite store. Unlike chDB, SQLite in WAL mode can be
 * read, and briefly written, by this process while the service runs.
 */
export function openEmbeddedData(dataDir: string | undefined, env: NodeJS.ProcessEnv): EmbeddedData {
  const dir = dataDir ?? env.DATA_DIR ?? './data';
  const { database } = embeddedPaths(dir);
  if (!existsSync(database)) throw new UsageError(`no embedded database at ${database} (give --data-dir)`);
  const db = openEmbeddedDatabase(database);
  const writer = new GroupCommitWriter(db);
  return {
    db,
    writer,
    eventLog: new SqliteEventLog(db, writer),
    close: () => {
      writer.close();
      db.close();
    },
  };
}
