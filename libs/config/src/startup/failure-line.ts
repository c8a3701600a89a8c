import { ConfigError } from '../config-error';
import { StartupError } from './startup-error';

/**
 * What a program prints on stderr when it cannot start, before any logger exists (or
 * after it is gone). Errors we raised on purpose already say what to fix, so they are
 * printed as they are; anything else is unexpected and keeps its stack.
 */
export function startupFailureText(program: string, error: unknown): string {
  const text =
    error instanceof ConfigError || error instanceof StartupError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `${program}: failed to start: ${text}\n`;
}
