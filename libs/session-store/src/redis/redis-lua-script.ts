import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run by its SHA-1 (EVALSHA), so the body crosses the wire only once per
 * server: after a restart or SCRIPT FLUSH the server answers NOSCRIPT and the body is
 * sent again with EVAL, which also caches it.
 */
export class RedisLuaScript {
  private readonly sha: string;

  constructor(
    private readonly body: string,
    /** `variable`: as many keys as the call passes (a batch). */
    private readonly keyCount: number | 'variable',
  ) {
    this.sha = createHash('sha1').update(body).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    if (this.keyCount !== 'variable' && keys.length !== this.keyCount) throw new Error(`script expects ${this.keyCount} keys, got ${keys.length}`);
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.body, keys.length, ...keys, ...args);
    }
  }
}
