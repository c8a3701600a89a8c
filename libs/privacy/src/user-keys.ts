import { UserKey, UserKeyCipher, UserKeyRecord } from './user-key';
import { UserKeyStore } from './user-key-store.port';

export interface UserKeysOptions {
  clock?: () => number;
  /**
   * How long an opened key is trusted without asking the store again. Unbounded where
   * one process owns the store (embedded: an erasure there evicts at once); short
   * where another instance may erase (distributed), so a key destroyed elsewhere stops
   * encoding and decoding here within this time.
   */
  cacheMs?: number;
  maxEntries?: number;
}

interface Cached {
  key: UserKey;
  at: number;
}

/**
 * The user keys a process uses, opened once and remembered: encoding an event needs the
 * key of its identifier, decoding one the key of its subject, and both happen per event
 * on the hot paths. A subject whose record is gone is erased; `null` marks one the store
 * was asked about and did not have.
 */
export class UserKeys {
  private readonly byLookup = new Map<string, Cached>();
  private readonly bySubject = new Map<string, Cached | null>();
  private readonly clock: () => number;
  private readonly cacheMs: number;
  private readonly maxEntries: number;

  constructor(
    readonly store: UserKeyStore,
    readonly cipher: UserKeyCipher,
    options: UserKeysOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.cacheMs = options.cacheMs ?? Number.POSITIVE_INFINITY;
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  lookupOf(product: string, identifier: string): string {
    return this.cipher.lookupOf(product, identifier);
  }

  /** The keys of these identifiers, created (durably) for those seen for the first time. */
  async ensure(product: string, identifiers: Iterable<string>): Promise<void> {
    const now = this.clock();
    const missing = new Map<string, string>();
    for (const identifier of identifiers) {
      const lookup = this.lookupOf(product, identifier);
      if (!this.fresh(this.byLookup.get(lookup), now)) missing.set(lookup, identifier);
    }
    if (missing.size === 0) return;
    const found = await this.store.findByLookups([...missing.keys()]);
    const created: UserKeyRecord[] = [];
    for (const [lookup, identifier] of missing) {
      const record = found.get(lookup);
      if (record) this.remember(record, now);
      else created.push(this.cipher.newRecord(product, identifier, now, lookup).record);
    }
    if (created.length === 0) return;
    const stored = await this.store.createOrGet(created);
    for (const record of stored.values()) this.remember(record, now);
  }

  /** After `ensure`: the key of an identifier (undefined only if ensure was not awaited). */
  keyOf(product: string, identifier: string): UserKey | undefined {
    return this.byLookup.get(this.lookupOf(product, identifier))?.key;
  }

  /** The key of an identifier without creating one: undefined when the user has none (never seen, or erased). */
  async find(product: string, identifier: string): Promise<UserKey | undefined> {
    const lookup = this.lookupOf(product, identifier);
    const cached = this.byLookup.get(lookup);
    if (this.fresh(cached, this.clock())) return cached?.key;
    const record = (await this.store.findByLookups([lookup])).get(lookup);
    return record ? this.remember(record, this.clock()) : undefined;
  }

  /** Loads the keys of these subjects (those not remembered), so `keyOfSubject` answers for each. */
  async loadSubjects(subjects: Iterable<string>): Promise<void> {
    const now = this.clock();
    const missing = new Set<string>();
    for (const subject of subjects) {
      const cached = this.bySubject.get(subject);
      if (cached === undefined || (cached !== null && !this.fresh(cached, now)) || (cached === null && this.cacheMs !== Number.POSITIVE_INFINITY)) {
        missing.add(subject);
      }
    }
    if (missing.size === 0) return;
    const found = await this.store.findBySubjects([...missing]);
    for (const subject of missing) {
      const record = found.get(subject);
      if (record) this.remember(record, now);
      else this.setSubject(subject, null);
    }
  }

  /** After `loadSubjects`: the key, `null` when the subject's key is gone (erased), undefined when never loaded. */
  keyOfSubject(subject: string): UserKey | null | undefined {
    const cached = this.bySubject.get(subject);
    return cached === null ? null : cached?.key;
  }

  /** Forgets a user at once (their key was just destroyed here, or an IdentifierErased was read). */
  forget(subject: string, lookup?: string): void {
    const cached = this.bySubject.get(subject);
    if (cached) this.byLookup.delete(this.lookupOf(cached.key.product, cached.key.identifier));
    if (lookup) this.byLookup.delete(lookup);
    this.setSubject(subject, null);
  }

  private fresh(cached: Cached | undefined, now: number): boolean {
    return cached !== undefined && now - cached.at < this.cacheMs;
  }

  private remember(record: UserKeyRecord, now: number): UserKey | undefined {
    const key = this.cipher.open(record);
    if (!key) return undefined;
    const cached = { key, at: now };
    if (this.byLookup.size >= this.maxEntries) this.byLookup.delete(this.byLookup.keys().next().value as string);
    this.byLookup.set(record.lookup, cached);
    this.setSubject(record.subject, cached);
    return key;
  }

  private setSubject(subject: string, value: Cached | null): void {
    if (!this.bySubject.has(subject) && this.bySubject.size >= this.maxEntries) {
      this.bySubject.delete(this.bySubject.keys().next().value as string);
    }
    this.bySubject.set(subject, value);
  }
}
