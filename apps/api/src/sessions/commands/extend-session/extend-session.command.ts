import { Command } from '@nestjs/cqrs';

export interface ExtendSessionResult {
  sessionId: string;
  refreshExpiresAt: string;
}

export class ExtendSessionCommand extends Command<ExtendSessionResult> {
  constructor(
    readonly product: string,
    readonly env: string,
    readonly tag: string,
    readonly sessionId: string,
    /** How far to push the session's end; the session's own refresh lifetime when absent. */
    readonly byMs: number | undefined,
    readonly requestId: string | undefined,
  ) {
    super();
  }
}
