import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const MAIN = join(__dirname, '../../dist/apps/projector/main.js');

export interface SpawnedProjector {
  process: ChildProcess;
  healthUrl: string;
  output: () => string;
  /** SIGTERM and wait: the projector finishes its batch, commits and leaves the group. */
  stop(): Promise<void>;
}

/** The built projector as a real process (`npm run build` first), for fault tests. */
export function spawnProjector(env: Record<string, string>, timeoutMs = 30_000): Promise<SpawnedProjector> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" before this test`);
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`projector did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          process: child,
          healthUrl: match[1].replace('localhost', '127.0.0.1'),
          output: () => output,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`projector exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}
