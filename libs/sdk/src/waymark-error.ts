import { Problem } from './types';

/**
 * Every refusal from Waymark, typed: branch on `code` (`SESSION_REVOKED`,
 * `REFRESH_TOKEN_REUSED`, `RATE_LIMITED`, ...), show `fieldErrors` to whoever must fix
 * the input. Network failures carry `code: 'NETWORK_ERROR'` and status 0.
 */
export class WaymarkError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fieldErrors: Array<{ field: string; message: string }>;
  /** Seconds to wait, from `Retry-After`, on 429. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly problem: Problem,
    retryAfterSeconds?: number,
  ) {
    super(`${problem.code}: ${problem.detail}`);
    this.name = 'WaymarkError';
    this.status = problem.status;
    this.code = problem.code;
    this.fieldErrors = problem.errors ?? [];
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
