import { constants } from 'node:os';
import pino, { Logger } from 'pino';

/**
 * Every pino logger this process made, so the last thing before exit can write out what
 * they still hold: pino writes stdout through an asynchronous buffer (sonic-boom), and a
 * process that ends without the 'exit' event (killed by a signal) loses that tail.
 */
const loggers = new Set<Logger>();

export function trackForFlush(logger: Logger): Logger {
  loggers.add(logger);
  return logger;
}

/** Writes out every tracked logger's buffer now, synchronously. */
export function flushLogs(): void {
  for (const logger of loggers) {
    const stream = (logger as unknown as Record<symbol, { flushSync?: () => void }>)[pino.symbols.streamSym];
    try {
      stream?.flushSync?.();
    } catch {
      // Not open yet, or stdout gone: nothing more can be written anyway.
    }
  }
}

/**
 * On SIGTERM or SIGINT: close the app (Nest's shutdown hooks: the drain, the projector's
 * last batch, the stores), write out the logs, and exit with 128 + the signal's number,
 * as a process killed by it would. This replaces Nest's `enableShutdownHooks`, which
 * re-raises the signal once closed: the process then died before pino's buffer reached
 * stdout, so every line of the shutdown ("projector stopped…", "embedded stores
 * closed") was lost. A second signal while closing exits at once.
 */
export function stopOnSignals(close: () => Promise<void>, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): void {
  let stopping = false;
  for (const signal of signals) {
    process.on(signal, () => {
      const code = 128 + (constants.signals[signal] ?? 15);
      if (stopping) {
        flushLogs();
        process.exit(code);
      }
      stopping = true;
      close()
        .catch((error: unknown) => process.stderr.write(`shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`))
        .finally(() => {
          flushLogs();
          process.exit(code);
        });
    });
  }
}
