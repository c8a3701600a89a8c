import { spawn } from 'node:child_process';
import { freeLoopbackPort } from '../support/free-port';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';
import { builtAppMain } from './startup-process';

/**
 * SIGTERM to the built service: the drain runs, every line of the shutdown reaches
 * stdout, and the exit code is 143 (128 + SIGTERM), as for a process the signal ended.
 * With Nest's enableShutdownHooks the signal was re-raised once closed and the process
 * died before pino's buffer was written: "projector stopped" and "embedded stores
 * closed" never appeared.
 */
describe('stopping the built API with SIGTERM', () => {
  it('writes every shutdown line and exits 143', async () => {
    const dir = makeTempDir('shutdown-logs');
    const port = await freeLoopbackPort();
    const child = spawn(process.execPath, [builtAppMain('api')], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir.path, LOG_LEVEL: 'info', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(
        () =>
          fetch(`http://127.0.0.1:${port}/health/live`).then(
            (answer) => answer.ok,
            () => false,
          ),
        (ok) => ok,
        30_000,
        100,
      );
      child.kill('SIGTERM');
      expect(await exited).toBe(143);
      const messages = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line).msg as string);
      expect(messages).toEqual(
        expect.arrayContaining([expect.stringMatching(/^shutting down/), expect.stringMatching(/^projector stopped/), 'embedded stores closed']),
      );
    } finally {
      child.kill('SIGKILL');
      dir.remove();
    }
  }, 60_000);
});
