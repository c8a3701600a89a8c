import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkAnswersFrom } from './fetch-contract';
import { spawnedApiAnswers } from './spawned-api-answers';

export interface SpawnedApp {
  process: ChildProcess;
  /** The address the app logged (`"url":"http://…"`), with localhost as 127.0.0.1. */
  url: string;
  output: () => string;
}

/**
 * Runs a built app (`dist/apps/<name>/main.js`; `npm run build` first) as a real
 * process, for tests that must kill it the hard way. Resolves once it logs the
 * address it listens on.
 */
export function spawnBuiltApp(name: 'api' | 'projector', env: Record<string, string>, timeoutMs: number): Promise<SpawnedApp> {
  const main = join(__dirname, `../../dist/apps/${name}/main.js`);
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" before this test`);
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        const url = match[1].replace('localhost', '127.0.0.1');
        // The API's answers are checked against its OpenAPI document as the tests receive them.
        if (name === 'api') checkAnswersFrom(url, spawnedApiAnswers);
        resolve({ process: child, url, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

export function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
