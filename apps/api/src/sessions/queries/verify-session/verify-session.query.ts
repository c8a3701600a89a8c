import { Query } from '@nestjs/cqrs';
import { DpopPresentation } from '@waymark/tokens';

export type VerifySessionResult =
  | { valid: true; sessionId: string; identifier: string; data: Record<string, unknown>; expiresAt: string; authTime?: string }
  | { valid: false; reason: 'invalid' | 'expired' | 'revoked' | 'idle' | 'absolute' | 'stale' }
  | { valid: false; reason: 'dpop'; detail: string };

export class VerifySessionQuery extends Query<VerifySessionResult> {
  constructor(
    readonly product: string,
    readonly env: string,
    readonly tag: string,
    readonly token: string,
    /** The client's DPoP proof and its request, for a token bound to a key. */
    readonly dpop?: DpopPresentation,
    /** Refuse (`stale`) a session started longer ago (docs/session-timeouts.md). */
    readonly maxAgeSeconds?: number,
  ) {
    super();
  }
}
