import { LoggerService } from '@nestjs/common';
import pino, { Logger, LevelWithSilent } from 'pino';
import { currentRequestId } from './request-context';
import { trackForFlush } from './stop-on-signals';

export type LogLevel = LevelWithSilent;

/**
 * Keys whose values never reach a log line, wherever they sit in a logged object:
 * tokens, refresh tokens, keys and user data.
 */
const REDACTED_PATHS = [
  'token',
  'refreshToken',
  'authorization',
  'key',
  'keys',
  'k',
  'data',
  'sealedData',
  '*.token',
  '*.refreshToken',
  '*.authorization',
  '*.key',
  '*.k',
  '*.data',
  '*.sealedData',
  'req.headers.authorization',
];

export function createPinoLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  // Tracked so that stopOnSignals can write out its buffer before the process exits.
  return trackForFlush(
    pino(
      {
        level,
        base: { pid: process.pid },
        timestamp: pino.stdTimeFunctions.isoTime,
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        // The request id comes from the async context, so code far from the HTTP layer
        // logs it without passing it around.
        mixin: () => {
          const requestId = currentRequestId();
          return requestId ? { requestId } : {};
        },
      },
      destination,
    ),
  );
}

/** Nest's LoggerService backed by pino: JSON lines, one `context` field per Nest context. */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly logger: Logger) {}

  get pino(): Logger {
    return this.logger;
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /**
   * Nest calls `log(message, ...params, context)`. We also accept `log(fields, text)`:
   * an object of fields followed by the human-readable line.
   */
  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const args = [...rest];
    const context = args.length > 0 && typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      const text = typeof args[0] === 'string' ? (args.shift() as string) : undefined;
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) }, text);
    } else {
      if (level === 'error' && typeof args[0] === 'string') fields.stack = args.shift();
      this.logger[level](fields, String(message));
    }
  }
}
