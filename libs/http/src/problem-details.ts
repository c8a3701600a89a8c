import { HttpException } from '@nestjs/common';
import { DomainError, DomainErrorCode, FieldError, RateLimitedError } from '@waymark/domain';

/** RFC 9457 problem details, plus our stable `code` and the fields at fault. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  instance?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** What 503 answers put in Retry-After: long enough for a Redis or Kafka restart to be noticed. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** The one place domain codes become HTTP statuses. */
const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  INVALID_REQUEST: 400,
  PRODUCT_NOT_FOUND: 422,
  ENV_NOT_FOUND: 422,
  SESSION_SPEC_NOT_FOUND: 422,
  IDENTIFIER_MISSING: 422,
  INVALID_SESSION_DATA: 422,
  SESSION_NOT_FOUND: 404,
  SPEC_NOT_FOUND: 404,
  SESSION_SPEC_EXISTS: 409,
  SESSION_SPEC_CONFLICT: 409,
  REPLAY_CONFLICT: 409,
  TOKEN_INVALID: 401,
  SESSION_EXPIRED: 401,
  SESSION_REVOKED: 401,
  SESSION_IDLE_TIMEOUT: 401,
  SESSION_ABSOLUTE_TIMEOUT: 401,
  REFRESH_FAILED: 401,
  REFRESH_TOKEN_REUSED: 401,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  CREATE_FAILED: 503,
  STORE_UNAVAILABLE: 503,
};

const TITLE_BY_STATUS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * Framework refusals raised before a route runs (Fastify's body parsing, mapped by
 * Nest to HttpException): all of them are about the request body.
 */
const FRAMEWORK_BODY_CODES: Record<number, string> = {
  400: 'INVALID_REQUEST',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

export function problemTypeFor(code: string): string {
  return `urn:waymark:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

export function buildProblem(status: number, code: string, detail: string, errors?: FieldError[]): ProblemDetails {
  return {
    type: problemTypeFor(code),
    title: TITLE_BY_STATUS[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/**
 * Maps anything thrown while serving a request to a problem, with any headers the
 * status calls for (`Retry-After` on 429 and 503, `WWW-Authenticate` on a missing key).
 */
export interface ProblemOutcome {
  problem: ProblemDetails;
  /** An error we did not anticipate: log it in full, answer without its details. */
  internal: boolean;
  headers?: Record<string, string>;
}

export function toProblem(error: unknown): ProblemOutcome {
  if (error instanceof RateLimitedError) {
    return {
      problem: buildProblem(429, error.code, error.message),
      internal: false,
      headers: { 'retry-after': String(error.retryAfterSeconds) },
    };
  }
  if (error instanceof DomainError) {
    const status = STATUS_BY_CODE[error.code] ?? 400;
    const headers: Record<string, string> | undefined =
      error.code === 'UNAUTHORIZED'
        ? { 'www-authenticate': 'Bearer realm="waymark"' }
        : // A store or log that did not answer: the same request may well succeed shortly.
          status === 503
          ? { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) }
          : undefined;
    return { headers, problem: buildProblem(status, error.code, error.message, error.fieldErrors), internal: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const bodyCode = FRAMEWORK_BODY_CODES[status];
    if (bodyCode) {
      // Fastify's words for 415 name no format; ours say which one is taken.
      const message = status === 415 ? 'must be sent as application/json' : error.message;
      return { problem: buildProblem(status, bodyCode, message, [{ field: 'body', message }]), internal: false };
    }
    const code = status === 404 ? 'NOT_FOUND' : status === 405 ? 'METHOD_NOT_ALLOWED' : `HTTP_${status}`;
    return { problem: buildProblem(status, code, status >= 500 ? 'an unexpected error occurred; it has been logged' : error.message), internal: status >= 500 };
  }
  return { problem: buildProblem(500, 'INTERNAL', 'an unexpected error occurred; it has been logged'), internal: true };
}
