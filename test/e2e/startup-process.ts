import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Both streams as they came, for messages when an assertion fails. */
  output: string;
}

/** The built app's entry point (`npm run build` first). */
export function builtAppMain(name: 'api' | 'projector' | 'cli'): string {
  const main = join(__dirname, `../../dist/apps/${name}/main.js`);
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" before this test`);
  return main;
}

/** Runs a built app expected to refuse to start, to its exit. */
export function runBuiltAppToExit(name: 'api' | 'projector', env: Record<string, string>, timeoutMs = 20_000): Promise<Exited> {
  return runToExit(process.execPath, [builtAppMain(name)], env, timeoutMs);
}

/**
 * Runs a command to its exit with the test's environment plus `env` (and the app's
 * usual test settings). A run still going after `timeoutMs` (it started instead of
 * refusing) is killed and reported with what it printed.
 */
export function runToExit(command: string, args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<Exited> {
  const child = spawn(command, args, {
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result: Exited = { code: null, stdout: '', stderr: '', output: '' };
  child.stdout.on('data', (chunk: Buffer) => ((result.stdout += chunk.toString()), (result.output += chunk.toString())));
  child.stderr.on('data', (chunk: Buffer) => ((result.stderr += chunk.toString()), (result.output += chunk.toString())));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} was still running after ${timeoutMs} ms instead of refusing to start:\n${result.output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ ...result, code });
    });
  });
}
