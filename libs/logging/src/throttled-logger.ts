import { LoggerService } from '@nestjs/common';
import { LogThrottle } from './log-throttle';

type Level = 'warn' | 'error' | 'fatal';

/** What identifies "the same error": its code or name and its message, never its stack. */
export function errorKey(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === 'string' ? code : error.name}: ${error.message}`;
  }
  return String(error);
}

/**
 * A LoggerService that passes info, debug and verbose lines through and throttles
 * warnings and errors (LogThrottle): the first line of a kind is written as given (with
 * its stack), recurrences within the interval become one summary line with
 * `repeated: N`. A kind is the line's text, plus the code and message of the error it
 * carries (`err` in a fields object, or an Error given as the message), plus `scope`;
 * other fields (attempt numbers, positions, request ids) do not make a new kind.
 *
 * Wrap a Nest `Logger` with its context (`new ThrottledLogger(new Logger('kafka'),
 * throttle, 'kafka')`) so that the summary line carries the same context.
 */
export class ThrottledLogger implements LoggerService {
  constructor(
    private readonly inner: LoggerService,
    private readonly throttle: LogThrottle,
    private readonly scope = '',
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.inner.log(message, ...rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug?.(message, ...rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(message, ...rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.throttled('warn', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.throttled('error', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.throttled('fatal', message, rest);
  }

  private throttled(level: Level, message: unknown, rest: unknown[]): void {
    const { text, error } = describe(message, rest);
    const key = `${level}|${this.scope}|${text}|${error === undefined ? '' : errorKey(error)}`;
    this.throttle.record(
      key,
      () => this.write(level, message, rest),
      (repeated, intervalMs) => {
        const intervalSeconds = Math.round(intervalMs / 1000);
        const fields: Record<string, unknown> = { repeated, intervalSeconds };
        if (error !== undefined) fields.error = errorKey(error);
        this.write(level, fields, [`${text} (repeated ${repeated} times in the last ${intervalSeconds} s)`]);
      },
    );
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    if (level === 'fatal' && this.inner.fatal) this.inner.fatal(message, ...rest);
    else if (level === 'warn') this.inner.warn(message, ...rest);
    else this.inner.error(message, ...rest);
  }
}

/** The human-readable text of a line and the error it carries, in the argument shapes PinoLoggerService accepts. */
function describe(message: unknown, rest: unknown[]): { text: string; error?: unknown } {
  if (message instanceof Error) return { text: message.message, error: message };
  if (typeof message === 'object' && message !== null) {
    const fields = message as Record<string, unknown>;
    return { text: typeof rest[0] === 'string' ? rest[0] : '', error: fields.err ?? fields.error };
  }
  return { text: String(message) };
}
