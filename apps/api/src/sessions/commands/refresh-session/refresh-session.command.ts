import { Command } from '@nestjs/cqrs';
import { StartSessionResult } from '../start-session/start-session.command';

/** The same shape as start's answer: a new token and a new refresh token. */
export type RefreshSessionResult = StartSessionResult;

export class RefreshSessionCommand extends Command<RefreshSessionResult> {
  constructor(
    readonly product: string,
    readonly env: string,
    readonly tag: string,
    readonly refreshToken: string,
    readonly requestId: string | undefined,
  ) {
    super();
  }
}
