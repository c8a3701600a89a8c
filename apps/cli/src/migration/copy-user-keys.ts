import Database from 'better-sqlite3';
import { ErasureRecord, UserKeyRecord, UserKeyStore } from '@waymark/privacy';

const BATCH = 1_000;

interface KeyRow {
  id: number;
  lookup: string;
  subject: string;
  product: string;
  sealed_key: string;
  created_at: number;
}

interface ErasureRow {
  lookup: string;
  product: string;
  subject: string | null;
  state: ErasureRecord['state'];
  receipt: string;
  updated_at: number;
}

/**
 * Copies every user key record of keys.db, sealed as it is (the wrap keys are the
 * service's, which the distributed apps must be given), and every erasure record, into
 * the distributed key store. Idempotent: a record already there with the same subject
 * is ours from an earlier run; one with another subject means the target already had a
 * key for that user (not an empty deployment), which would leave their events
 * unreadable, so the copy stops there.
 */
export async function copyUserKeys(
  keysDbPath: string,
  store: UserKeyStore,
  onProgress: (copied: number) => void,
): Promise<{ records: number; erasures: number }> {
  const db = new Database(keysDbPath, { readonly: true, fileMustExist: true });
  try {
    const page = db.prepare('SELECT id, lookup, subject, product, sealed_key, created_at FROM user_keys WHERE id > ? ORDER BY id LIMIT ?');
    let after = 0;
    let records = 0;
    for (;;) {
      const rows = page.all(after, BATCH) as KeyRow[];
      if (rows.length === 0) break;
      const batch: UserKeyRecord[] = rows.map((row) => ({
        lookup: row.lookup,
        subject: row.subject,
        product: row.product,
        sealedKey: row.sealed_key,
        createdAt: row.created_at,
      }));
      const stored = await store.createOrGet(batch);
      for (const record of batch) {
        const there = stored.get(record.lookup);
        if (!there || there.subject !== record.subject) {
          throw new Error(`the distributed key store already holds another key for a user of product ${record.product}: migrate into an empty deployment`);
        }
      }
      records += rows.length;
      after = rows[rows.length - 1].id;
      onProgress(records);
    }
    const erasureRows = db.prepare('SELECT lookup, product, subject, state, receipt, updated_at FROM erasures').all() as ErasureRow[];
    for (const row of erasureRows) {
      await store.putErasure({
        lookup: row.lookup,
        product: row.product,
        subject: row.subject,
        state: row.state,
        receipt: row.receipt,
        updatedAt: row.updated_at,
      });
    }
    return { records, erasures: erasureRows.length };
  } finally {
    db.close();
  }
}
