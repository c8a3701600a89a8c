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
  | 'SESSION_NOT_FOUND'
  | 'CREATE_FAILED';

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
