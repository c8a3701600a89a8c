import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { toIsoTimestamp } from '@waymark/domain';
import { SessionTokenVerifier } from '../../session-token-verifier';
import { VerifySessionQuery, VerifySessionResult } from './verify-session.query';

/** `sessions.verify`: the token's own claims, decrypted; no store read for a valid token. */
@QueryHandler(VerifySessionQuery)
export class VerifySessionHandler implements IQueryHandler<VerifySessionQuery, VerifySessionResult> {
  constructor(private readonly verifier: SessionTokenVerifier) {}

  async execute(query: VerifySessionQuery): Promise<VerifySessionResult> {
    const verdict = await this.verifier.verify(query.token, query.product, query.env, query.tag, {
      dpop: { proof: query.dpop },
      maxAgeSeconds: query.maxAgeSeconds,
    });
    if (!verdict.valid) return verdict;
    const { claims } = verdict;
    return {
      valid: true,
      sessionId: claims.sessionId,
      identifier: claims.identifier,
      data: claims.data,
      expiresAt: toIsoTimestamp(claims.expiresAt),
      // Absent only for tokens minted before auth_time was written.
      ...(claims.authTime === undefined ? {} : { authTime: toIsoTimestamp(claims.authTime) }),
    };
  }
}
