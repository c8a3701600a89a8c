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

const identityOf = (product: string, identifier: string) => `${product}\u001f${identifier}`;

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
  /** The same entries by product ␟ identifier: encoding an event of a known user then costs no HMAC. */
  private readonly byIdentity = new Map<string, Cached>();
  private pending = new Map<string, { product: string; identifier: string }>();
  private pendingDone: Promise<void> | undefined;
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
    let missing: Array<[string, string, string]> | undefined;
    for (const identifier of identifiers) {
      if (this.fresh(this.byIdentity.get(identityOf(product, identifier)), now)) continue;
      (missing ??= []).push([this.lookupOf(product, identifier), product, identifier]);
    }
    if (missing) await this.resolveBatched(missing);
  }

  /**
   * Every lookup asked for in one turn of the event loop goes to the store together: one
   * read, one write of all the new records (one transaction and one sync of the store),
   * however many requests met new users at the same time.
   */
  private resolveBatched(missing: Array<[string, string, string]>): Promise<void> {
    for (const [lookup, product, identifier] of missing) this.pending.set(lookup, { product, identifier });
    this.pendingDone ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const batch = this.pending;
        this.pending = new Map();
        this.pendingDone = undefined;
        this.resolveNow(batch).then(resolve, reject);
      });
    });
    return this.pendingDone;
  }

  /**
   * Straight to createOrGet, without asking first which records exist: a new user (the
   * common case of a record not remembered) then costs one INSERT, not a SELECT and an
   * INSERT; a known one this process had not met yet costs a record made for nothing,
   * once per process, and the store answers theirs.
   */
  private async resolveNow(batch: Map<string, { product: string; identifier: string }>): Promise<void> {
    const now = this.clock();
    const created = new Map<string, { record: UserKeyRecord; key: UserKey }>();
    for (const [lookup, { product, identifier }] of batch) created.set(lookup, this.cipher.newRecord(product, identifier, now, lookup));
    const stored = await this.store.createOrGet([...created.values()].map((made) => made.record));
    for (const record of stored.values()) {
      const made = created.get(record.lookup);
      // Ours was stored: we hold its key already. Another instance's won the race: open theirs.
      if (made && made.record.subject === record.subject) this.cache(record.lookup, made.key, now);
      else this.remember(record, now);
    }
  }

  /** After `ensure`: the key of an identifier (undefined only if ensure was not awaited). */
  keyOf(product: string, identifier: string): UserKey | undefined {
    return this.byIdentity.get(identityOf(product, identifier))?.key;
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
    if (cached) {
      this.byLookup.delete(this.lookupOf(cached.key.product, cached.key.identifier));
      this.byIdentity.delete(identityOf(cached.key.product, cached.key.identifier));
    }
    if (lookup) {
      const byLookup = this.byLookup.get(lookup);
      if (byLookup) this.byIdentity.delete(identityOf(byLookup.key.product, byLookup.key.identifier));
      this.byLookup.delete(lookup);
    }
    this.setSubject(subject, null);
  }

  private fresh(cached: Cached | undefined, now: number): boolean {
    return cached !== undefined && now - cached.at < this.cacheMs;
  }

  private remember(record: UserKeyRecord, now: number): UserKey | undefined {
    const key = this.cipher.open(record);
    if (!key) return undefined;
    this.cache(record.lookup, key, now);
    return key;
  }

  private cache(lookup: string, key: UserKey, now: number): void {
    const cached = { key, at: now };
    if (this.byLookup.size >= this.maxEntries) {
      const oldest = this.byLookup.entries().next().value as [string, Cached];
      this.byLookup.delete(oldest[0]);
      this.byIdentity.delete(identityOf(oldest[1].key.product, oldest[1].key.identifier));
    }
    this.byLookup.set(lookup, cached);
    this.byIdentity.set(identityOf(key.product, key.identifier), cached);
    this.setSubject(key.subject, cached);
  }

  private setSubject(subject: string, value: Cached | null): void {
    if (!this.bySubject.has(subject) && this.bySubject.size >= this.maxEntries) {
      this.bySubject.delete(this.bySubject.keys().next().value as string);
    }
    this.bySubject.set(subject, value);
  }
}
