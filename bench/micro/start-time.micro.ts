import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../test/support/free-port';

/**
 * Time from `npm start` to the first answered request, on a built tree (issue 18: within
 * 3 s). Each run starts `npm start` exactly as a user types it (npm, the build check, the
 * API in embedded mode with a fresh DATA_DIR), polls `GET /health/live` every 20 ms, and
 * stops the service once it answered. Run `npm run build` first, or the first run
 * includes the build.
 *
 *   node -r ./bench/support/ts-register.js bench/micro/start-time.micro.ts [runs, default 5]
 */
const root = join(__dirname, '../..');
const POLL_MS = 20;
const GIVE_UP_MS = 120_000;

async function oneStart(): Promise<number> {
  const port = await freeLoopbackPort();
  const dataDir = mkdtempSync(join(tmpdir(), 'waymark-start-time-'));
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  try {
    for (;;) {
      if (performance.now() - started > GIVE_UP_MS) throw new Error(`no answer within ${GIVE_UP_MS} ms`);
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
      const answer = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined);
      if (answer?.ok) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    // npm runs the service as its grandchild: stop the whole process group.
    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const times: number[] = [];
  for (let run = 1; run <= runs; run += 1) {
    const firstAnswerMs = await oneStart();
    times.push(firstAnswerMs);
    console.log(`run ${run}/${runs}: first answer ${firstAnswerMs.toFixed(0)} ms after npm start`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `npm start → first answer: median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms over ${runs} runs (target ≤ 3000 ms)`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
