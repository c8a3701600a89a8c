import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decideRefresh, DomainError, isInScope, SessionRecord, toIsoTimestamp } from '@waymark/domain';
import { SessionStep } from '@waymark/session-store';
import { DataSealer, SessionTokenService, hashRefreshSecret, issueRefreshToken, parseRefreshToken } from '@waymark/tokens';
import { API_CONFIG } from '../../../config/api-config.provider';
import { ApiConfig } from '../../../config/api.config';
import { SessionCommands, timeoutRefusal } from '../../session-commands';
import { RefreshClientMetadata, RefreshSessionCommand, RefreshSessionResult } from './refresh-session.command';

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
    private readonly sessions: SessionCommands,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async execute(command: RefreshSessionCommand): Promise<RefreshSessionResult> {
    const presented = parseRefreshToken(command.refreshToken);
    if (!presented) throw refused();
    const presentedHash = hashRefreshSecret(presented.secret);
    return this.sessions.run(presented.sessionId, 'refreshing', (record) => this.decide(record, command, presentedHash));
  }

  private async decide(record: SessionRecord | undefined, command: RefreshSessionCommand, presentedHash: string): Promise<SessionStep<RefreshSessionResult>> {
    // A token for another product, env or tag is as unknown as a forged one.
    if (!record || !isInScope(record, command)) throw refused();
    const next = issueRefreshToken(record.sessionId);
    const context = this.sessions.context(command.requestId);
    const input = {
      ...context,
      revocationEventId: this.sessions.newId(),
      presentedHash,
      graceMs: this.config.refreshGraceMs,
      nextRefreshHash: next.hash,
      ...this.sessions.useView(record.sessionId),
    };
    const decision = decideRefresh(record, input);
    switch (decision.kind) {
      case 'rotate': {
        // The answer is sealed into the record, so that a retry within the grace window gets it again.
        const answer = await this.mint(decision.record, next.token);
        const local = { ...decision.local, sealedAnswer: await this.sealer.seal({ ...answer }) };
        return { kind: 'save', events: decision.events, local, answer: () => answer };
      }
      case 'replay':
        return { kind: 'answer', answer: (await this.sealer.open(decision.sealedAnswer)) as unknown as RefreshSessionResult };
      case 'reuse-detected': {
        // Sealed only now, so a normal refresh costs no encryption: the same decision
        // again, with the request's metadata in the incident.
        const sealedRequest = await this.sealRequest(command.client);
        const incident = sealedRequest === undefined ? decision : decideRefresh(record, { ...input, sealedRequest });
        if (incident.kind !== 'reuse-detected') throw new Error(`refresh of session ${record.sessionId}: the same decision made twice differed`);
        return {
          kind: 'save',
          events: incident.events,
          answer: () => {
            this.logger.warn({ sessionId: record.sessionId }, 'refresh token reuse detected; session revoked');
            throw DomainError.forField('REFRESH_TOKEN_REUSED', 'refreshToken', 'this refresh token was already used; the session has been revoked');
          },
        };
      }
      case 'refused':
        if (decision.reason === 'revoked') throw DomainError.forField('SESSION_REVOKED', 'refreshToken', 'the session was revoked');
        if (decision.reason === 'expired') throw DomainError.forField('SESSION_EXPIRED', 'refreshToken', 'the session has ended; start a new one');
        if (decision.reason === 'idle' || decision.reason === 'absolute') throw timeoutRefusal(decision.reason, 'refreshToken');
        throw refused();
    }
  }

  /** The request's user agent and IP, sealed like session data; undefined when there are none. */
  private async sealRequest(client: RefreshClientMetadata): Promise<string | undefined> {
    const metadata = {
      ...(client.userAgent ? { userAgent: client.userAgent } : {}),
      ...(client.ip ? { ip: client.ip } : {}),
    };
    return Object.keys(metadata).length > 0 ? this.sealer.seal(metadata) : undefined;
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
      issuedAt: record.rotatedAt ?? this.sessions.clock(),
      expiresAt: record.expiresAt,
      authTime: record.startedAt,
      absoluteExpiresAt: record.absoluteExpiresAt,
      idleTimeoutMs: record.idleTimeoutMs,
      // A bound session's tokens stay bound to the same key (docs/dpop.md).
      jkt: record.jkt,
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
