import { fork, spawnSync } from 'node:child_process';
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { freeLoopbackPort } from '../../test/support/free-port';
import { closedLoop } from '../load/closed-loop';
import { readCpuSeconds } from '../support/proc-status';
import { Progress } from '../support/progress';

/**
 * How many POSTs per second a server answers on this machine, with nothing behind the
 * route, by HTTP stack: the floor under every POST endpoint of the API. The server reads
 * the body, parses it as JSON and answers a constant JSON:
 * - `node`: a bare `node:http` server, one process;
 * - `node-cluster`: the same in a `node:cluster` of 2 workers (the primary accepts and
 *   hands connections out; its CPU is counted too);
 * - `fastify`: plain Fastify (the version the API runs on), no hooks, its JSON parser.
 * The API's own bare route (`POST /bench/ceiling`: Nest's Fastify adapter plus the app's
 * hooks) is measured by the suite (`npm run bench -- verify`).
 *
 * autocannon runs in this process (the servers are children) with a body shaped like the
 * verify benchmark's and 50 connections, as the suite's benchmarks do.
 *
 *   node -r ./bench/support/ts-register.js bench/micro/post-ceiling.micro.ts [seconds] [stacks, default node,node-cluster,fastify]
 */
const SERVE = 'serve';
const STACKS = ['node', 'node-cluster', 'fastify'] as const;
type Stack = (typeof STACKS)[number];
const ANSWER = { valid: true, sessionId: '0190f0e4-8a0b-7cc1-9f5a-1d2e3f405162', identifier: 'u1', data: {}, expiresAt: '2026-11-27T04:00:00.000Z' };

function announce(port: number): void {
  process.send?.({ port });
}

function serveWithNode(port: number): void {
  const answer = JSON.stringify(ANSWER);
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      response.end(answer);
    });
  });
  server.listen(port, '127.0.0.1', () => announce((server.address() as AddressInfo).port));
}

async function serveWithFastify(port: number): Promise<void> {
  const app = Fastify({ logger: false });
  app.post('/v1/sessions/verify', (_request, reply) => {
    void reply.send(ANSWER);
  });
  await app.listen({ port, host: '127.0.0.1' });
  announce((app.server.address() as AddressInfo).port);
}

/** The server side, in a child: a cluster's primary forks 2 workers that share the port. */
function serve(stack: Stack, port: number): void {
  if (stack === 'fastify') return void serveWithFastify(port);
  if (stack === 'node' || cluster.isWorker) return serveWithNode(port);
  let ready = 0;
  for (let index = 0; index < 2; index += 1) {
    cluster.fork().on('message', (message: { port: number }) => {
      ready += 1;
      if (ready === 2) announce(message.port);
    });
  }
}

async function startServer(stack: Stack): Promise<{ port: number; pids: number[]; stop: () => void }> {
  const port = await freeLoopbackPort();
  const child = fork(__filename, [SERVE, stack, String(port)], { execArgv: process.execArgv });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  // A cluster's workers are the primary's children (pgrep exits 1 when there are none).
  const workers = (spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean).map(Number);
  return { port, pids: [child.pid!, ...workers], stop: () => child.kill() };
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const stacks = (process.argv[3] ?? STACKS.join(',')).split(',') as Stack[];
  for (const stack of stacks) if (!STACKS.includes(stack)) throw new Error(`unknown stack ${stack}; one of ${STACKS.join(', ')}`);
  const progress = new Progress();
  const body = JSON.stringify({ product: 'my-product-tag', env: 'snd', tag: 'session-tag', token: 'x'.repeat(620) });
  for (const stack of stacks) {
    const server = await startServer(stack);
    try {
      const url = `http://127.0.0.1:${server.port}/v1/sessions/verify`;
      await closedLoop({ url, method: 'POST', body, connections: 50, durationS: 2, label: `${stack}: warm-up` }, progress);
      const cpuBefore = server.pids.map((pid) => readCpuSeconds(pid));
      const result = await closedLoop({ url, method: 'POST', body, connections: 50, durationS: seconds, label: `${stack}: bare POST` }, progress);
      const cpuSeconds = server.pids.reduce((sum, pid, index) => sum + readCpuSeconds(pid) - cpuBefore[index], 0);
      process.stdout.write(
        `${stack.padEnd(13)} ${Math.round(result.okPerSecond).toLocaleString('en-US').padStart(7)} POST/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
          `${((cpuSeconds * 1e6) / Math.max(1, result.ok)).toFixed(0)} µs server CPU per POST, ${result.non2xx + result.errors} failed\n`,
      );
    } finally {
      server.stop();
    }
  }
}

if (process.argv[2] === SERVE || cluster.isWorker) serve(process.argv[3] as Stack, Number(process.argv[4]));
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
