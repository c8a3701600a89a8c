import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { Server, createServer } from 'node:net';
import { join } from 'node:path';
import { SpawnedApi, spawnApi } from '../support/spawned-api';
import { stopProcess } from '../support/service-process';
import { makeTempDir } from '../support/temp-dir';
import { Exited, builtAppMain, runBuiltAppToExit, runToExit } from './startup-process';

/**
 * The built API refusing to start: one line on stderr naming the setting and its value,
 * exit code 1, nothing on stdout (no "successfully started", no "listening"), and
 * nothing opened that it could leave behind.
 */
describe('start-up errors of the built API', () => {
  const temp = makeTempDir('startup-errors');
  afterAll(() => temp.remove());

  const expectOnlyLine = (run: Exited, line: string | RegExp) => {
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
    if (typeof line === 'string') expect(run.stderr).toBe(`waymark: failed to start: ${line}\n`);
    else expect(run.stderr).toMatch(line);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.output).not.toMatch(/successfully started|listening/i);
  };

  describe('PORT in use', () => {
    let taken: Server;
    let port: number;

    beforeAll(async () => {
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen({ port: 0, host: '127.0.0.1' }, resolve));
      port = (taken.address() as { port: number }).port;
    });

    afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

    it('names PORT and HOST, before opening anything in DATA_DIR', async () => {
      const dataDir = join(temp.path, 'port');
      const run = await runBuiltAppToExit('api', { PORT: String(port), DATA_DIR: dataDir });
      expectOnlyLine(run, `PORT ${port} is in use (HOST 127.0.0.1)`);
      expect(() => readdirSync(dataDir)).toThrow('ENOENT');
    });
  });

  describe('DATA_DIR used by a running instance (a second `npm start` on the same data)', () => {
    const dataDir = join(temp.path, 'shared');
    let first: SpawnedApi;

    beforeAll(async () => {
      first = await spawnApi(dataDir);
    }, 30_000);

    afterAll(async () => {
      await stopProcess(first.process);
    });

    it('names DATA_DIR and the pid holding it, and leaves the running instance alone', async () => {
      const run = await runBuiltAppToExit('api', { PORT: '0', DATA_DIR: dataDir });
      const line = new RegExp(
        `^waymark: failed to start: DATA_DIR ${dataDir} is used by another Waymark process \\(pid ${first.process.pid}, since [0-9TZ:.-]+\\)\\n$`,
      );
      expectOnlyLine(run, line);
      expect((await fetch(`${first.baseUrl}/health/live`)).status).toBe(200);
    });

    it('keeps the projector off it too (embedded, it would open the same chDB)', async () => {
      const run = await runBuiltAppToExit('projector', { PORT: '0', DATA_DIR: dataDir });
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
      expect(run.stderr).toMatch(
        new RegExp(
          `^waymark-projector: failed to start: DATA_DIR ${dataDir} is used by another Waymark process \\(pid ${first.process.pid}, since [0-9TZ:.-]+\\)\\n$`,
        ),
      );
    });

    it('is free again as soon as the holder stops', async () => {
      await stopProcess(first.process);
      const second = await spawnApi(dataDir);
      await stopProcess(second.process);
    }, 30_000);
  });

  describe('DATA_DIR not writable (these tests run as root, for whom permission bits deny nothing)', () => {
    it('under a regular file', async () => {
      const file = join(temp.path, 'a-file');
      writeFileSync(file, '');
      const run = await runBuiltAppToExit('api', { PORT: '0', DATA_DIR: join(file, 'data') });
      expectOnlyLine(run, `DATA_DIR ${join(file, 'data')} is not writable (ENOTDIR: a part of the path is a file, not a directory)`);
    });

    // A read-only mount, in a mount namespace of the app's own so nothing outlives it;
    // needs CAP_SYS_ADMIN, which the CI container has, and is skipped where it does not.
    const canMount = (() => {
      try {
        execFileSync('unshare', ['--mount', 'true'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();

    (canMount ? it : it.skip)('on a read-only file system', async () => {
      const mountPoint = join(temp.path, 'read-only');
      mkdirSync(mountPoint);
      const script = `mount -t tmpfs -o ro,size=1m tmpfs "$DATA_DIR" && exec "${process.execPath}" "${builtAppMain('api')}"`;
      const run = await runToExit('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { PORT: '0', DATA_DIR: mountPoint });
      expectOnlyLine(run, `DATA_DIR ${mountPoint} is not writable (EROFS: read-only file system)`);
    });
  });
});
