import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { FrontReadyLine } from '../../tools/clickhouse-http-front/clickhouse-http-front';
import { readFirstLine, stopProcess } from './service-process';
import { makeTempDir } from './temp-dir';

const ROOT = join(__dirname, '../..');
const FRONT = join(ROOT, 'tools/clickhouse-http-front/clickhouse-http-front.ts');
const TS_REGISTER = join(ROOT, 'bench/support/ts-register.js');

export interface ClickHouseTestServer {
  /** `http://127.0.0.1:<port>`, for `createReadModelClient({ kind: 'server', url })`; the same across restarts. */
  url: string;
  /** The chDB data directory behind the front. */
  path: string;
  /**
   * SIGTERM: the front answers the requests it has taken and closes chDB; fails unless it
   * exits with code 0 on its own. Removes the data directory unless `keepData`.
   */
  stop: (options?: { keepData?: boolean }) => Promise<void>;
  /** SIGKILL, for fault tests: the server is gone at once, mid-request or not; the data directory stays. */
  kill: () => Promise<void>;
  /** Starts the front again on the same data directory and port (after `kill` or `stop({ keepData: true })`). */
  restart: () => Promise<void>;
}

/**
 * Starts the test-only ClickHouse HTTP front (tools/clickhouse-http-front) on a fresh
 * chDB data directory and a free loopback port, so tests can run Waymark processes
 * against "a ClickHouse server" where there is none. See docs/clickhouse-test-front.md
 * for what it does not cover.
 */
export async function startClickHouseServer(startTimeoutMs = 20_000): Promise<ClickHouseTestServer> {
  const dir = makeTempDir('clickhouse-front');
  const path = join(dir.path, 'chdb');
  let child = await spawnFront(path, 0, startTimeoutMs);
  const url = child.url;
  const port = new URL(url).port;

  return {
    url,
    path,
    stop: async ({ keepData = false } = {}) => {
      const exit = await stopProcess(child.process, 10_000);
      if (!keepData) dir.remove();
      if (exit && exit.code !== 0)
        throw new Error(`ClickHouse test front did not stop cleanly on SIGTERM (code ${exit.code}, signal ${exit.signal}):\n${child.stderr()}`);
    },
    kill: () => killProcess(child.process),
    restart: async () => {
      if (child.process.exitCode === null && child.process.signalCode === null) throw new Error('restart() needs the front stopped or killed first');
      // The port was released with the process; another one may have taken it in between,
      // which shows as an early exit: retry a few times before giving up.
      let lastError: unknown;
      for (let attempt = 0; attempt < 5; attempt += 1) {
        try {
          child = await spawnFront(path, Number(port), startTimeoutMs);
          return;
        } catch (error) {
          lastError = error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      throw lastError;
    },
  };
}

interface RunningFront {
  process: ChildProcess;
  url: string;
  stderr: () => string;
}

function spawnFront(path: string, port: number, timeoutMs: number): Promise<RunningFront> {
  const child = spawn(process.execPath, ['-r', TS_REGISTER, FRONT, '--path', path, '--port', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return readFirstLine(child, 'ClickHouse test front', timeoutMs).then(({ line, stderr }) => {
    const ready = JSON.parse(line) as FrontReadyLine;
    return { process: child, url: ready.url, stderr };
  });
}

function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
