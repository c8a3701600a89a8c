import { SqliteEventLog } from '@waymark/event-log';
import { SessionRecord, StoredSpec } from '@waymark/domain';
import { SqliteSessionStore, SqliteSpecStore, specField, writeRedisState } from '@waymark/session-store';
import { GroupCommitWriter, SqliteConnection } from '@waymark/sqlite';
import type { Redis } from 'ioredis';

const BATCH = 1_000;

/**
 * Copies the embedded session records and specs into Redis, as they are: refresh-token
 * hashes included, so users keep refreshing after the move (a rebuild from the log
 * could not give them that). Sessions already past their end are left out, as the
 * Redis store would have let them expire. Idempotent: each run writes the same keys.
 */
export async function copySessionStores(
  db: SqliteConnection,
  writer: GroupCommitWriter,
  eventLog: SqliteEventLog,
  redis: Redis,
  prefix: string,
  now: number,
  onProgress: (copied: number) => void,
): Promise<{ sessions: number; specs: number }> {
  const sessionStore = new SqliteSessionStore(db, writer, eventLog);
  const specStore = new SqliteSpecStore(db, writer, eventLog);
  const specs = new Map<string, StoredSpec>((await specStore.list()).map((stored) => [specField(stored.product, stored.spec.tag), stored]));
  const ids = db.prepare('SELECT session_id FROM sessions ORDER BY session_id').pluck().all() as string[];
  await writeRedisState(redis, prefix, [], specs, { now });
  let sessions = 0;
  for (let from = 0; from < ids.length; from += BATCH) {
    const records: SessionRecord[] = [];
    for (const id of ids.slice(from, from + BATCH)) {
      const record = await sessionStore.find(id);
      if (record) records.push(record);
    }
    sessions += (await writeRedisState(redis, prefix, records, new Map(), { now })).sessions;
    onProgress(Math.min(from + BATCH, ids.length));
  }
  return { sessions, specs: specs.size };
}
