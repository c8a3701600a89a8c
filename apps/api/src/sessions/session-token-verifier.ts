import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@waymark/domain';
import { SessionTokenClaims, SessionTokenService } from '@waymark/tokens';
import { CLOCK } from '../shared/domain.providers';
import { RevocationList } from './revocation-list';

export type SessionTokenVerdict = { valid: true; claims: SessionTokenClaims } | { valid: false; reason: 'invalid' | 'expired' | 'revoked' };

/**
 * Decides whether a session token is good for a product, env and tag right now:
 * decryptable with our keys and bound to that audience, unexpired, of that tag, and
 * its session not revoked. Reads no store: the revocation list is in memory.
 */
@Injectable()
export class SessionTokenVerifier {
  constructor(
    private readonly tokens: SessionTokenService,
    private readonly revocations: RevocationList,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async verify(token: string, product: string, env: string, tag: string): Promise<SessionTokenVerdict> {
    const check = await this.tokens.check(token, product, env, this.clock());
    if (!check.valid) return check;
    if (check.claims.tag !== tag) return { valid: false, reason: 'invalid' };
    if (this.revocations.isRevoked(check.claims.sessionId)) return { valid: false, reason: 'revoked' };
    return check;
  }
}
