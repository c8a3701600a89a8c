import { ClickHouseClient } from '@clickhouse/client';
import { SqliteEventLog } from '@waymark/event-log';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { join } from 'node:path';
import { benchCodec } from './privacy-codec';
import { appendSyntheticLog } from './synthetic-events';

const USERS = 100_000;

export interface FilledStore {
  db: SqliteConnection;
  log: SqliteEventLog;
  /** chDB in the data directory, migrated and empty. */
  clickhouse: ClickHouseClient;
  appendMs: number;
  /** The codec the log stored with, to decode with (code with per-user keys; undefined for older code). */
  codec: unknown;
  close(): Promise<void>;
}

/**
 * A fresh embedded data directory as the projector and replay benchmarks start from:
 * `total` synthetic session starts of 100,000 users appended to the SQLite log (in
 * groups, as a busy API's group commits would), and an empty, migrated read model.
 */
export async function fillEmbeddedStore(dataDir: string, total: number, onAppended: (done: number) => void): Promise<FilledStore> {
  const db = openEmbeddedDatabase(join(dataDir, 'waymark.db'));
  const writer = new GroupCommitWriter(db);
  // As the service stores them: under per-user keys where the code has them (the
  // constructor of older code ignores the extra argument).
  const privacy = benchCodec(dataDir);
  const log = new (SqliteEventLog as unknown as new (...args: unknown[]) => SqliteEventLog)(db, writer, privacy?.codec);
  const appendMs = await appendSyntheticLog(log, total, USERS, onAppended, privacy?.tokenKeys);
  const clickhouse = createReadModelClient({ kind: 'chdb', path: join(dataDir, 'clickhouse') });
  await migrateReadModel(clickhouse);
  return {
    db,
    log,
    clickhouse,
    appendMs,
    codec: privacy?.codec,
    close: async () => {
      await clickhouse.close();
      writer.close();
      db.close();
      await privacy?.close();
    },
  };
}
