import { UserKeyRecord } from './user-key';

/** Nest injection token of the mode's UserKeyStore (SQLite file beside the log; Redis). */
export const USER_KEY_STORE = Symbol('USER_KEY_STORE');

/** What an erasure has done so far, kept under the identifier's lookup (see ErasureService). */
export interface ErasureRecord {
  lookup: string;
  product: string;
  subject: string | null;
  /** Steps finished, in order; a retry redoes every step (each is idempotent) and finishes the rest. */
  state: 'started' | 'finished';
  /** The receipt as JSON once finished (and the progress so far while started). */
  receipt: string;
  updatedAt: number;
}

/**
 * Where per-user key records live. Kept out of the event log's files and topic on
 * purpose: a copy of the log (a backup, a mirror) must not carry the keys that open it.
 */
export interface UserKeyStore {
  /** Stores each record whose lookup is new; resolves, once durable, with the stored record per lookup (an existing one wins). */
  createOrGet(records: readonly UserKeyRecord[]): Promise<Map<string, UserKeyRecord>>;
  findByLookups(lookups: readonly string[]): Promise<Map<string, UserKeyRecord>>;
  findBySubjects(subjects: readonly string[]): Promise<Map<string, UserKeyRecord>>;
  /** Deletes the record of a lookup for good (no copy left in the store's files); resolves with it, or undefined when there was none. */
  destroy(lookup: string): Promise<UserKeyRecord | undefined>;
  putErasure(erasure: ErasureRecord): Promise<void>;
  findErasures(lookups: readonly string[]): Promise<Map<string, ErasureRecord>>;
  close(): Promise<void>;
}
