import { ParseArgsConfig } from 'node:util';

/** Exit codes a script can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** What a command writes: results to `out` (for pipes), progress and notes to `err`. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Raw progress output (no newline added), for redrawn progress lines. */
  progress?: (text: string) => void;
  isTty?: boolean;
  /** Registers what to do on Ctrl-C (SIGINT) while the command runs. */
  onInterrupt?: (handler: () => void) => void;
}

export interface CliCommand {
  /** Words that select the command, e.g. `keys generate`. */
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Record<string, string | boolean | undefined>, positionals: string[], io: CliIo): Promise<number>;
}
