import { DomainError } from '@waymark/domain';
import { DpopClaim, DpopReplayGuard } from '@waymark/tokens';
import type { Redis } from 'ioredis';
import { RedisKeys } from './redis-keys';

/**
 * The distributed guard: one `SET NX PX` per accepted proof, so a proof replayed to any
 * instance sharing this Redis is refused, and Redis forgets it when it could no longer
 * be accepted anyway. Redis unreachable: STORE_UNAVAILABLE (a bound token is never
 * accepted without its replay check); unbound tokens never come here.
 */
export class RedisDpopReplayGuard implements DpopReplayGuard {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.keys = new RedisKeys(keyPrefix);
  }

  async claim(key: string, ttlMs: number): Promise<DpopClaim> {
    let answer: string | null;
    try {
      answer = await this.redis.set(this.keys.dpopProof(key), '1', 'PX', ttlMs, 'NX');
    } catch {
      throw new DomainError('STORE_UNAVAILABLE', 'the DPoP replay store is unavailable; retry later');
    }
    return answer === 'OK' ? 'claimed' : 'replayed';
  }
}
