import { ChildProcess, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { freeLoopbackPort } from './free-port';
import { tmpdir } from 'node:os';
import { stopProcess } from './service-process';

export interface RedisTestServer {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  stop: () => Promise<void>;
}

/**
 * Starts a private `redis-server` on a free loopback port, with no persistence, so tests
 * never depend on (or disturb) a server left running. A machine without Redis fails here
 * with the install command: the tests that need it never skip themselves.
 */
export async function startRedisServer(startTimeoutMs = 10_000): Promise<RedisTestServer> {
  let lastError: unknown;
  // The free port is found by binding and releasing it; another process may take it in
  // between, which shows as an early exit: try again on a new port.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freeLoopbackPort();
    try {
      const child = await spawnRedis(port, startTimeoutMs);
      return { url: `redis://127.0.0.1:${port}`, port, stop: async () => void (await stopProcess(child)) };
    } catch (error) {
      lastError = error;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') break;
    }
  }
  if ((lastError as NodeJS.ErrnoException)?.code === 'ENOENT') {
    throw new Error('redis-server is not installed: apt-get install -y redis-server (.ci/run does this)');
  }
  throw lastError;
}

function spawnRedis(port: number, timeoutMs: number): Promise<ChildProcess> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
    '--dir',
    tmpdir(),
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        child.kill('SIGKILL');
        reject(error);
      } else resolve(child);
    };
    const timer = setTimeout(() => settle(new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    child.once('error', (error) => settle(error));
    child.once('exit', (code) => settle(new Error(`redis-server exited with code ${code} before answering:\n${output}`)));
    const poll = () => {
      if (settled) return;
      pingOnce(port).then(
        () => settle(),
        () => setTimeout(poll, 20),
      );
    };
    poll();
  });
}

/** Resolves when the server on `port` answers PING with PONG (RESP inline command). */
function pingOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (!reply.includes('\r\n')) return;
      socket.end();
      if (reply.startsWith('+PONG')) resolve();
      else reject(new Error(`unexpected reply ${JSON.stringify(reply)}`));
    });
  });
}
