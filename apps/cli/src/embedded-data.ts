import { SqliteEventLog } from '@waymark/event-log';
import { PersonalDataCodec, SqliteUserKeyStore } from '@waymark/privacy';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { embeddedPaths } from '@waymark/storage';
import { existsSync } from 'node:fs';
import { UsageError } from './cli-command';
import { openCodec } from './cli-keys';

export interface EmbeddedData {
  db: SqliteConnection;
  eventLog: SqliteEventLog;
  writer: GroupCommitWriter;
  /** Decodes (and encodes) stored events with the service's keys; opened on first use, since most commands never need it. */
  codec(): PersonalDataCodec;
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
  let keys: SqliteUserKeyStore | undefined;
  let codec: PersonalDataCodec | undefined;
  const codecOf = () => {
    keys ??= SqliteUserKeyStore.open(embeddedPaths(dir).userKeys);
    return (codec ??= openCodec(keys, env, dir));
  };
  return {
    db,
    writer,
    // No codec on the log: the only append here is a redrive, which puts records back as
    // they were stored (a stored record already names its subject).
    eventLog: new SqliteEventLog(db, writer),
    codec: codecOf,
    close: () => {
      writer.close();
      db.close();
      void keys?.close();
    },
  };
}
