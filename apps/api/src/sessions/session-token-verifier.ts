import { Inject, Injectable } from '@nestjs/common';
import { Clock, timeoutOf } from '@waymark/domain';
import { SESSION_STORE, SessionStore } from '@waymark/session-store';
import { DpopPresentation, DpopProofVerifier, SessionTokenClaims, SessionTokenService } from '@waymark/tokens';
import { CLOCK } from '../shared/domain.providers';
import { RevocationList } from './revocation-list';
import { SessionUseTracker } from './session-use-tracker';

export type SessionTokenVerdict =
  { valid: true; claims: SessionTokenClaims } | { valid: false; reason: 'invalid' | 'expired' | 'revoked' | 'idle' | 'absolute' | 'stale' };

export interface VerifyOptions {
  /** Refuse (`stale`) a session started longer ago than this (OIDC `max_age`), whatever else holds. */
  maxAgeSeconds?: number;
  /**
   * Check a bound token's DPoP proof (docs/dpop.md): `proof` is what came with the
   * request, undefined when nothing did. Without this option the binding is not checked
   * (activity: the product's backend records calls it already verified).
   */
  dpop?: { proof: DpopPresentation | undefined };
}

/** A bound token (`cnf.jkt`) whose proof is missing or fails a check (RFC 9449 §7.1). */
export type DpopRefusal = { valid: false; reason: 'dpop'; detail: string };

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
    private readonly uses: SessionUseTracker,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly dpop: DpopProofVerifier,
  ) {}

  verify(token: string, product: string, env: string, tag: string, options?: VerifyOptions & { dpop?: undefined }): Promise<SessionTokenVerdict>;
  verify(token: string, product: string, env: string, tag: string, options: VerifyOptions): Promise<SessionTokenVerdict | DpopRefusal>;
  async verify(token: string, product: string, env: string, tag: string, options: VerifyOptions = {}): Promise<SessionTokenVerdict | DpopRefusal> {
    const now = this.clock();
    const check = await this.tokens.check(token, product, env, now);
    if (!check.valid) return check;
    const { claims } = check;
    if (claims.tag !== tag) return { valid: false, reason: 'invalid' };
    if (this.revocations.isRevoked(claims.sessionId)) return { valid: false, reason: 'revoked' };
    if (claims.idleTimeoutMs !== undefined) {
      // By what this instance knows, synchronously: the token's issue (a start or a
      // refresh, both uses) and the uses seen or learnt here. Only a session that looks
      // idle by that pays for the store (and for an await).
      const known = Math.max(claims.issuedAt, this.uses.lastUse(claims.sessionId) ?? 0);
      if (now - known > claims.idleTimeoutMs && (await this.idleByStore(claims.sessionId, known, claims.idleTimeoutMs, now))) {
        return { valid: false, reason: 'idle' };
      }
    }
    // A token without auth_time (minted before it was written) cannot show a recent start: stale too.
    if (options.maxAgeSeconds !== undefined && (claims.authTime === undefined || now - claims.authTime > options.maxAgeSeconds * 1000)) {
      return { valid: false, reason: 'stale' };
    }
    // Only for a bound token: an unbound one costs nothing here, and a proof sent with it is not looked at.
    if (options.dpop && claims.jkt !== undefined) {
      const refusal = await this.checkBinding(token, claims.jkt, options.dpop.proof, now);
      if (refusal) return refusal;
    }
    // A verify that passes is a use of the session (idle timeout); refusals are not.
    if (claims.idleTimeoutMs !== undefined) this.uses.touch(claims.sessionId, now, claims.idleTimeoutMs);
    return check;
  }

  /**
   * The rare path, when this instance's own view says idle: the store, where other
   * instances' uses arrive within USE_FLUSH_INTERVAL_MS, so its answer is allowed that
   * much more before the session counts as idle. What it says is remembered here.
   */
  private async idleByStore(sessionId: string, known: number, idleTimeoutMs: number, now: number): Promise<boolean> {
    const record = await this.store.find(sessionId);
    if (!record) return true;
    this.uses.learn(sessionId, record.lastUsedAt, idleTimeoutMs);
    return timeoutOf(record, Math.max(known, record.lastUsedAt), now, this.uses.idleAllowanceMs) !== undefined;
  }

  /** RFC 9449 §4.3 and §7.1: the proof is there, made with the token's key for this request and token, and new. */
  private async checkBinding(token: string, jkt: string, proof: DpopPresentation | undefined, now: number): Promise<DpopRefusal | undefined> {
    if (!proof) return { valid: false, reason: 'dpop', detail: 'the token is bound to a key: a DPoP proof is required' };
    const verdict = await this.dpop.verify(proof, { jkt, accessToken: token }, now);
    return verdict.valid ? undefined : { valid: false, reason: 'dpop', detail: verdict.problem };
  }
}
