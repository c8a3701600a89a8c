import { LoggerService } from '@nestjs/common';
import { EventEnvelope, SessionSpec, StoredSpec } from '@waymark/domain';
import { EventLog } from '@waymark/event-log';
import type { Redis } from 'ioredis';
import { SpecStore } from '../spec-store.port';
import { RedisKeys, specField } from './redis-keys';
import { RedisLuaScript } from './redis-lua-script';

/** What a spec's hash field holds; the product and tag are in the field name. */
export interface RedisSpecValue {
  spec: SessionSpec;
  revision: number;
  deleted: boolean;
}

/**
 * KEYS: the specs hash. ARGV: field, expected revision (0: must not exist), new value.
 * Answers {1, previous value or ''} when written, {0} when the revision moved on.
 */
const COMPARE_AND_SET = new RedisLuaScript(
  `local current = redis.call('HGET', KEYS[1], ARGV[1])
local expected = tonumber(ARGV[2])
if current then
  if cjson.decode(current).revision ~= expected then return {0} end
elseif expected ~= 0 then return {0} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return {1, current or ''}`,
  1,
);

/**
 * KEYS: the specs hash. ARGV: field, revision written by the failed save, previous value
 * ('' when there was none). Restores only while our revision is still the stored one.
 */
const REVERT = new RedisLuaScript(
  `local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current or cjson.decode(current).revision ~= tonumber(ARGV[2]) then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
return 1`,
  1,
);

/**
 * Session specs in one Redis hash for the distributed mode. As with sessions, Redis is
 * written first (compare-and-set on the revision), the events appended second, and the
 * write undone when the append fails, so no save is acknowledged without its event.
 */
export class RedisSpecStore implements SpecStore {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    private readonly eventLog: EventLog,
    prefix: string,
    private readonly logger?: Pick<LoggerService, 'error'>,
  ) {
    this.key = new RedisKeys(prefix).specs();
  }

  /** Ordered by product, then tag, as the embedded store lists them. */
  async list(): Promise<StoredSpec[]> {
    const fields = await this.redis.hgetall(this.key);
    return Object.entries(fields)
      .map(([field, json]) => toStored(field, json))
      .sort((a, b) => compare(a.product, b.product) || compare(a.spec.tag, b.spec.tag));
  }

  async get(product: string, tag: string): Promise<StoredSpec | undefined> {
    const field = specField(product, tag);
    const json = await this.redis.hget(this.key, field);
    return json === null ? undefined : toStored(field, json);
  }

  async save(stored: StoredSpec, expectedRevision: number, events: readonly EventEnvelope[]): Promise<boolean> {
    const field = specField(stored.product, stored.spec.tag);
    const value: RedisSpecValue = { spec: stored.spec, revision: stored.revision, deleted: stored.deleted };
    const reply = (await COMPARE_AND_SET.run(this.redis, [this.key], [field, expectedRevision, JSON.stringify(value)])) as [number, string?];
    if (reply[0] !== 1) return false;
    try {
      await this.eventLog.append(events);
    } catch (error) {
      try {
        await REVERT.run(this.redis, [this.key], [field, stored.revision, reply[1] ?? '']);
      } catch (revertError) {
        this.logger?.error(`append failed and spec ${stored.product}/${stored.spec.tag} could not be restored: ${String(revertError)}`);
      }
      throw error;
    }
    return true;
  }
}

function toStored(field: string, json: string): StoredSpec {
  const product = field.slice(0, field.indexOf('\u001f'));
  const value = JSON.parse(json) as RedisSpecValue;
  return { product, spec: value.spec, revision: value.revision, deleted: value.deleted };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
