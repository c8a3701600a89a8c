import { Command } from '@nestjs/cqrs';

export interface StartSessionResult {
  token: string;
  refreshToken: string;
  sessionId: string;
  expiresAt: string;
  refreshExpiresAt: string;
}

/** `sessions.start({ product, env, tag, data })` from the seed. */
export class StartSessionCommand extends Command<StartSessionResult> {
  constructor(
    readonly product: string,
    readonly env: string,
    readonly tag: string,
    readonly data: Record<string, unknown>,
    readonly requestId: string | undefined,
    /** The client key's thumbprint to bind the session to (DPoP); absent: not bound. */
    readonly jkt?: string,
  ) {
    super();
  }
}
