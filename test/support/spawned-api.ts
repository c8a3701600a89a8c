import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_KEY } from './api-app';

const MAIN = join(__dirname, '../../dist/apps/api/main.js');

export interface SpawnedApi {
  process: ChildProcess;
  baseUrl: string;
  output: () => string;
}

/**
 * Runs the built API (`npm run build` first) as a real process, for tests that must
 * kill it the hard way. Resolves once it logs the address it listens on.
 */
export function spawnApi(dataDir: string, timeoutMs = 20_000): Promise<SpawnedApi> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" before this test`);
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'test', WAYMARK_BOOTSTRAP_KEY: TEST_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`API did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ process: child, baseUrl: match[1].replace('localhost', '127.0.0.1'), output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`API exited with code ${code} before listening:\n${output}`));
    });
  });
}

export function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
