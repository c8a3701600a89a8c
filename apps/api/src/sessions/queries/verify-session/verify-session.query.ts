import { Query } from '@nestjs/cqrs';

export type VerifySessionResult =
  | { valid: true; sessionId: string; identifier: string; data: Record<string, unknown>; expiresAt: string }
  | { valid: false; reason: 'invalid' | 'expired' | 'revoked' };

export class VerifySessionQuery extends Query<VerifySessionResult> {
  constructor(
    readonly product: string,
    readonly env: string,
    readonly tag: string,
    readonly token: string,
  ) {
    super();
  }
}
