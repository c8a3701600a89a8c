import { LoggerService } from '@nestjs/common';
import { MESSAGES } from '@nestjs/core/constants';

const NEST_APPLICATION = 'NestApplication';

/**
 * Nest logs "Nest application successfully started" from init(), which listen() runs
 * before it binds the port, and then logs a failed listen itself. On a port taken
 * that reads as "started" followed by an error. Both lines are dropped here: main
 * says "listening" once the port is bound, and a failed listen is reported once, as
 * the start-up failure line. Everything else passes through unchanged.
 */
export class QuietUntilListeningLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...rest: unknown[]): void {
    if (message === MESSAGES.APPLICATION_READY && rest[rest.length - 1] === NEST_APPLICATION) return;
    this.inner.log(message, ...rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    if (typeof message === 'string' && message.startsWith('Error: listen ') && rest[rest.length - 1] === NEST_APPLICATION) return;
    this.inner.error(message, ...rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.inner.warn(message, ...rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug?.(message, ...rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(message, ...rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.inner.fatal?.(message, ...rest);
  }
}
