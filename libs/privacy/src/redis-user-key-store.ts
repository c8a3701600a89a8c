import Redis from 'ioredis';
import { UserKeyRecord } from './user-key';
import { ErasureRecord, UserKeyStore } from './user-key-store.port';

/**
 * Stores the record under its lookup unless one is there, and indexes it by subject;
 * returns the record that is stored now (an existing one wins a race between two API
 * instances that met a new user at the same moment).
 */
const CREATE_OR_GET = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
return ARGV[1]`;

/** Deletes the record and its subject index; returns what was deleted. */
const DESTROY = `
local existing = redis.call('GET', KEYS[1])
if not existing then return false end
redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2] .. cjson.decode(existing)['subject'])
return existing`;

/**
 * Distributed mode's user keys, in Redis under their own prefix (`<prefix>.ukeys:`), so
 * the session store's rebuild, which clears `<prefix>:*`, never touches them. Redis'
 * own persistence (RDB snapshots, AOF) and its backups hold these records: how long
 * they are kept bounds how long an erased user stays recoverable from a backup of the
 * log (docs/privacy.md).
 */
export class RedisUserKeyStore implements UserKeyStore {
  private readonly base: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.base = `${prefix}.ukeys`;
  }

  private lookupKey(lookup: string): string {
    return `${this.base}:l:${lookup}`;
  }

  private subjectKey(subject: string): string {
    return `${this.base}:s:${subject}`;
  }

  private erasureKey(lookup: string): string {
    return `${this.base}:e:${lookup}`;
  }

  async createOrGet(records: readonly UserKeyRecord[]): Promise<Map<string, UserKeyRecord>> {
    const stored = new Map<string, UserKeyRecord>();
    const pipeline = this.redis.pipeline();
    for (const record of records)
      pipeline.eval(CREATE_OR_GET, 2, this.lookupKey(record.lookup), this.subjectKey(record.subject), JSON.stringify(record), record.lookup);
    const results = (await pipeline.exec()) ?? [];
    results.forEach(([error, value], index) => {
      if (error) throw error;
      stored.set(records[index].lookup, JSON.parse(value as string) as UserKeyRecord);
    });
    return stored;
  }

  async findByLookups(lookups: readonly string[]): Promise<Map<string, UserKeyRecord>> {
    const unique = [...new Set(lookups)];
    const found = new Map<string, UserKeyRecord>();
    if (unique.length === 0) return found;
    const values = await this.redis.mget(unique.map((lookup) => this.lookupKey(lookup)));
    values.forEach((value, index) => {
      if (value) found.set(unique[index], JSON.parse(value) as UserKeyRecord);
    });
    return found;
  }

  async findBySubjects(subjects: readonly string[]): Promise<Map<string, UserKeyRecord>> {
    const unique = [...new Set(subjects)];
    const found = new Map<string, UserKeyRecord>();
    if (unique.length === 0) return found;
    const lookups = await this.redis.mget(unique.map((subject) => this.subjectKey(subject)));
    const byLookup = await this.findByLookups(lookups.filter((lookup): lookup is string => lookup !== null));
    lookups.forEach((lookup, index) => {
      const record = lookup ? byLookup.get(lookup) : undefined;
      if (record && record.subject === unique[index]) found.set(unique[index], record);
    });
    return found;
  }

  async destroy(lookup: string): Promise<UserKeyRecord | undefined> {
    const value = (await this.redis.eval(DESTROY, 2, this.lookupKey(lookup), `${this.base}:s:`)) as string | null;
    return value ? (JSON.parse(value) as UserKeyRecord) : undefined;
  }

  async putErasure(erasure: ErasureRecord): Promise<void> {
    await this.redis.set(this.erasureKey(erasure.lookup), JSON.stringify(erasure));
  }

  async findErasures(lookups: readonly string[]): Promise<Map<string, ErasureRecord>> {
    const unique = [...new Set(lookups)];
    const found = new Map<string, ErasureRecord>();
    if (unique.length === 0) return found;
    const values = await this.redis.mget(unique.map((lookup) => this.erasureKey(lookup)));
    values.forEach((value, index) => {
      if (value) found.set(unique[index], JSON.parse(value) as ErasureRecord);
    });
    return found;
  }

  /** The Redis client belongs to the caller (the storage module closes it). */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
