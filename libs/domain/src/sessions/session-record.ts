/** The state the service keeps per session to refresh and revoke it (never the tokens themselves). */
export type SessionStatus = 'active' | 'revoked';

export interface SessionRecord {
  sessionId: string;
  product: string;
  env: string;
  tag: string;
  identifier: string;
  status: SessionStatus;
  startedAt: number;
  expiresAt: number;
  refreshExpiresAt: number;
  /** SHA-256 of the current refresh token's secret; the token itself is never stored. */
  refreshTokenHash: string;
  /** Increments on every refresh; rotation compares and sets it. */
  generation: number;
}
