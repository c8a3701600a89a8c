import { Command } from '@nestjs/cqrs';
import { StartSessionResult } from '../start-session/start-session.command';

/** The same shape as start's answer: a new token and a new refresh token. */
export type RefreshSessionResult = StartSessionResult;

/** What a reuse incident records of the refresh request (RefreshTokenReusedData.sealedRequest). */
export interface RefreshClientMetadata {
  userAgent?: string;
  ip?: string;
}

export class RefreshSessionCommand extends Command<RefreshSessionResult> {
  constructor(
    readonly product: string,
    readonly env: string,
    readonly tag: string,
    readonly refreshToken: string,
    readonly requestId: string | undefined,
    /** The end user's request as the backend reported it, else this request's own: kept only with a reuse incident. */
    readonly client: RefreshClientMetadata = {},
  ) {
    super();
  }
}
