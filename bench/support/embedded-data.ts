import Database from 'better-sqlite3';
import { join } from 'node:path';

/** Rows in the API's embedded database after it stopped: what was made durable. */
export function countDurableSessions(dataDir: string): { sessions: number; events: number } {
  const db = new Database(join(dataDir, 'waymark.db'), { readonly: true, fileMustExist: true });
  try {
    const sessions = (db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;
    const events = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    return { sessions, events };
  } finally {
    db.close();
  }
}
