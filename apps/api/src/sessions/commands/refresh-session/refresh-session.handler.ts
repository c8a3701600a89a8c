import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock, decideRefresh, DomainError, IdGenerator, isInScope, SessionRecord, toIsoTimestamp } from '@waymark/domain';
import { SESSION_STORE, SessionStore } from '@waymark/session-store';
import { DataSealer, SessionTokenService, hashRefreshSecret, issueRefreshToken, parseRefreshToken } from '@waymark/tokens';
import { API_CONFIG } from '../../../config/api-config.provider';
import { ApiConfig } from '../../../config/api.config';
import { CLOCK, ID_GENERATOR } from '../../../shared/domain.providers';
import { RefreshSessionCommand, RefreshSessionResult } from './refresh-session.command';

/** A lost compare-and-set means another request changed the session; re-read and decide again. */
const MAX_ATTEMPTS = 4;

const refused = (message = 'the refresh token is not valid') => DomainError.forField('REFRESH_FAILED', 'refreshToken', message);

/**
 * Rotates the refresh token (see `decideRefresh`). Two refreshes racing with one token
 * both read the same version; the store's compare-and-set lets exactly one rotate, and
 * the other, deciding again, finds its token just spent and inside the grace window,
 * so it gets the winner's answer rather than a revocation.
 */
@CommandHandler(RefreshSessionCommand)
export class RefreshSessionHandler implements ICommandHandler<RefreshSessionCommand, RefreshSessionResult> {
  private readonly logger = new Logger('sessions');

  constructor(
    private readonly tokens: SessionTokenService,
    private readonly sealer: DataSealer,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async execute(command: RefreshSessionCommand): Promise<RefreshSessionResult> {
    const presented = parseRefreshToken(command.refreshToken);
    if (!presented) throw refused();
    const presentedHash = hashRefreshSecret(presented.secret);

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const record = await this.store.find(presented.sessionId);
      // A token for another product, env or tag is as unknown as a forged one.
      if (!record || !isInScope(record, command)) throw refused();

      const now = this.clock();
      const next = issueRefreshToken(record.sessionId);
      const context = {
        now,
        eventId: this.newId(),
        meta: { requestId: command.requestId, source: 'api' },
        presentedHash,
        graceMs: this.config.refreshGraceMs,
        nextRefreshHash: next.hash,
      };
      const decision = decideRefresh(record, context);

      switch (decision.kind) {
        case 'rotate': {
          const answer = await this.mint(decision.record, next.token);
          const saved = { ...decision.record, lastRefreshSealed: await this.sealer.seal({ ...answer }) };
          if (await this.store.update(saved, record.version, [decision.event])) return answer;
          continue;
        }
        case 'replay':
          return (await this.sealer.open(decision.sealedAnswer)) as unknown as RefreshSessionResult;
        case 'reuse-detected':
          if (!(await this.store.update(decision.record, record.version, [decision.event]))) continue;
          this.logger.warn({ sessionId: record.sessionId }, 'refresh token reuse detected; session revoked');
          throw DomainError.forField('REFRESH_TOKEN_REUSED', 'refreshToken', 'this refresh token was already used; the session has been revoked');
        case 'refused':
          if (decision.reason === 'revoked') throw DomainError.forField('SESSION_REVOKED', 'refreshToken', 'the session was revoked');
          if (decision.reason === 'expired') throw DomainError.forField('SESSION_EXPIRED', 'refreshToken', 'the session has ended; start a new one');
          throw refused();
      }
    }
    throw new DomainError('STORE_UNAVAILABLE', 'the session kept changing while refreshing; retry');
  }

  private async mint(record: SessionRecord, refreshToken: string): Promise<RefreshSessionResult> {
    const data = await this.sealer.open(record.sealedData);
    const token = await this.tokens.issue({
      sessionId: record.sessionId,
      product: record.product,
      env: record.env,
      tag: record.tag,
      identifier: record.identifier,
      data,
      issuedAt: record.rotatedAt ?? this.clock(),
      expiresAt: record.expiresAt,
    });
    return {
      token,
      refreshToken,
      sessionId: record.sessionId,
      expiresAt: toIsoTimestamp(record.expiresAt),
      refreshExpiresAt: toIsoTimestamp(record.refreshExpiresAt),
    };
  }
}
