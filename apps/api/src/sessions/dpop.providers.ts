import { Provider } from '@nestjs/common';
import { RedisDpopReplayGuard } from '@waymark/session-store';
import { REDIS } from '@waymark/storage';
import { DPOP_REPLAY_GUARD, DpopProofVerifier, DpopReplayGuard, MemoryDpopReplayGuard } from '@waymark/tokens';
import type { Redis } from 'ioredis';
import { API_CONFIG } from '../config/api-config.provider';
import { ApiConfig } from '../config/api.config';
import { CLOCK } from '../shared/domain.providers';

/**
 * DPoP proof checking (docs/dpop.md). Proof ids already used are remembered where every
 * instance that could receive the replay looks: this process in embedded mode, the
 * shared Redis (under the configured key prefix) in distributed mode.
 */
export const DPOP_PROVIDERS: Provider[] = [
  {
    provide: DPOP_REPLAY_GUARD,
    useFactory: (config: ApiConfig, clock: () => number, redis?: Redis): DpopReplayGuard =>
      config.distributed && redis ? new RedisDpopReplayGuard(redis, config.distributed.redisKeyPrefix) : new MemoryDpopReplayGuard(clock),
    inject: [API_CONFIG, CLOCK, { token: REDIS, optional: true }],
  },
  {
    provide: DpopProofVerifier,
    useFactory: (guard: DpopReplayGuard) => new DpopProofVerifier(guard),
    inject: [DPOP_REPLAY_GUARD],
  },
];
