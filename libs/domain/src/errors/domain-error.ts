/**
 * Every refusal the domain can make has a stable code. The HTTP layer maps codes to
 * statuses in one place; clients branch on the code, never on the message.
 */
export type DomainErrorCode =
  | 'INVALID_REQUEST'
  | 'PRODUCT_NOT_FOUND'
  | 'ENV_NOT_FOUND'
  | 'SESSION_SPEC_NOT_FOUND'
  | 'IDENTIFIER_MISSING'
  | 'INVALID_SESSION_DATA'
  | 'SESSION_NOT_FOUND'
  | 'SPEC_NOT_FOUND'
  | 'SESSION_SPEC_EXISTS'
  | 'SESSION_SPEC_CONFLICT'
  | 'REPLAY_CONFLICT'
  | 'TOKEN_INVALID'
  | 'SESSION_EXPIRED'
  | 'SESSION_REVOKED'
  | 'SESSION_IDLE_TIMEOUT'
  | 'SESSION_ABSOLUTE_TIMEOUT'
  | 'REFRESH_FAILED'
  | 'REFRESH_TOKEN_REUSED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'CREATE_FAILED'
  | 'STORE_UNAVAILABLE';

/** Names the field at fault (a dotted path into the request) and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static forField(code: DomainErrorCode, field: string, message: string): DomainError {
    return new DomainError(code, message, [{ field, message }]);
  }
}

/** A refusal because the caller is over its request rate; says when to try again. */
export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', `too many requests for this API key; retry after ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
  }
}
