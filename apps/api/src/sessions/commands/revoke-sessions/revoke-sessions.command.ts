import { Command } from '@nestjs/cqrs';

export interface RevokeSessionsResult {
  /** Sessions this call revoked; already revoked or ended ones are not repeated. */
  revoked: string[];
}

export type RevokeTarget = { sessionId: string } | { identifier: string; exceptSessionId?: string };

export class RevokeSessionsCommand extends Command<RevokeSessionsResult> {
  constructor(
    readonly product: string,
    readonly env: string,
    readonly tag: string,
    readonly target: RevokeTarget,
    readonly requestId: string | undefined,
  ) {
    super();
  }
}
