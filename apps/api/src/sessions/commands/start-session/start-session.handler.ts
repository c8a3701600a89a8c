import { Logger } from '@nestjs/common';
import { LOG_REPEAT_INTERVAL_MS, LogThrottle, ThrottledLogger } from '@waymark/logging';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  DomainError,
  SessionCatalog,
  decideStartSession,
  lifetimesFor,
  selectIdentifier,
  senderKeyFor,
  validateSessionData,
  toIsoTimestamp,
} from '@waymark/domain';
import { DataSealer, SessionTokenService, issueRefreshToken } from '@waymark/tokens';
import { SessionCommands } from '../../session-commands';
import { StartSessionCommand, StartSessionResult } from './start-session.command';

/**
 * Starts a session: resolve the spec, read the identifier, mint both tokens, and
 * record the session with its `SessionStarted` event. Answers only once the store
 * says both are durable, so an acknowledged session is never lost.
 */
@CommandHandler(StartSessionCommand)
export class StartSessionHandler implements ICommandHandler<StartSessionCommand, StartSessionResult> {
  // While the store refuses writes every start fails the same way: logged once, then counted.
  private readonly logger = new ThrottledLogger(new Logger('sessions'), new LogThrottle({ intervalMs: LOG_REPEAT_INTERVAL_MS }), 'sessions');

  constructor(
    private readonly catalog: SessionCatalog,
    private readonly tokens: SessionTokenService,
    private readonly sealer: DataSealer,
    private readonly sessions: SessionCommands,
  ) {}

  async execute(command: StartSessionCommand): Promise<StartSessionResult> {
    const spec = this.catalog.resolve(command.product, command.env, command.tag);
    validateSessionData(command.data, spec.schema);
    const identifier = selectIdentifier(command.data, spec.selector);
    const jkt = senderKeyFor(spec, command.jkt);
    const now = this.sessions.clock();
    const sessionId = this.sessions.newId();
    const lifetimes = lifetimesFor(spec, now);
    const refresh = issueRefreshToken(sessionId);

    const [token, sealedData] = await Promise.all([
      this.tokens.issue({
        sessionId,
        product: command.product,
        env: command.env,
        tag: command.tag,
        identifier,
        data: command.data,
        issuedAt: now,
        expiresAt: lifetimes.expiresAt,
        authTime: now,
        absoluteExpiresAt: lifetimes.absoluteExpiresAt,
        idleTimeoutMs: lifetimes.idleTimeoutMs,
        jkt,
      }),
      this.sealer.seal(command.data),
    ]);

    const { record, events } = decideStartSession({
      product: command.product,
      env: command.env,
      tag: command.tag,
      identifier,
      spec,
      sessionId,
      eventId: this.sessions.newId(),
      now,
      sealedData,
      refreshTokenHash: refresh.hash,
      meta: { requestId: command.requestId, source: 'api' },
      jkt,
    });

    try {
      await this.sessions.store.create(record, events);
    } catch (error) {
      this.logger.error({ err: error, sessionId }, 'session could not be stored');
      throw new DomainError('CREATE_FAILED', 'the session could not be stored; nothing was recorded, retry later');
    }

    return {
      token,
      refreshToken: refresh.token,
      sessionId,
      expiresAt: toIsoTimestamp(record.expiresAt),
      refreshExpiresAt: toIsoTimestamp(record.refreshExpiresAt),
    };
  }
}
