import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, decideRecordActivity } from '@waymark/domain';
import { EVENT_LOG, EventLog } from '@waymark/event-log';
import { API_CONFIG } from '../../../config/api-config.provider';
import { ApiConfig } from '../../../config/api.config';
import { SessionCommands } from '../../session-commands';
import { SessionTokenVerifier } from '../../session-token-verifier';
import { checkActivityWindow } from './activity-window';
import { RecordActivityCommand, RecordActivityResult } from './record-activity.command';

const REFUSALS = {
  invalid: ['TOKEN_INVALID', 'the session token is not valid'],
  expired: ['SESSION_EXPIRED', 'the session token has expired; refresh it'],
  revoked: ['SESSION_REVOKED', 'the session was revoked'],
  idle: ['SESSION_IDLE_TIMEOUT', 'the session was unused for longer than its idle timeout; start a new one'],
  absolute: ['SESSION_ABSOLUTE_TIMEOUT', 'the session reached its absolute lifetime; start a new one'],
  // Activity asks for no maximum age, so never stale; listed so every verdict has its refusal.
  stale: ['TOKEN_INVALID', 'the session is older than the maximum age asked'],
} as const;

/**
 * Records calls made on a user's behalf. The session, and with it the user, comes
 * from the verified token, never from the body, so one product cannot write into
 * another user's journey.
 */
@CommandHandler(RecordActivityCommand)
export class RecordActivityHandler implements ICommandHandler<RecordActivityCommand, RecordActivityResult> {
  constructor(
    private readonly verifier: SessionTokenVerifier,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    private readonly sessions: SessionCommands,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async execute(command: RecordActivityCommand): Promise<RecordActivityResult> {
    const now = this.sessions.clock();
    checkActivityWindow(command.records, now, this.config.activityWindow, command.recordsField);
    const verdict = await this.verifier.verify(command.token, command.product, command.env, command.tag);
    if (!verdict.valid) {
      const [code, message] = REFUSALS[verdict.reason];
      throw DomainError.forField(code, 'token', message);
    }
    const events = decideRecordActivity(verdict.claims, command.records, now, this.sessions.newId, {
      requestId: command.requestId,
      source: 'api',
    });
    await this.eventLog.append(events);
    return { recorded: events.length, sessionId: verdict.claims.sessionId };
  }
}
