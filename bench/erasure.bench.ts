import { join } from 'node:path';
import { Benchmark, BenchmarkRun, atMost, fmt } from './support/benchmark';
import { startApiProcess } from './support/api-process';
import { SEED_KEY } from './support/seed';
import { startTsProcess } from './support/ts-process';

/** Issue 17: erasing one user at 10 M events in the read model takes at most this. */
const TARGET_MS = 5000;
const USERS = 100_000;

interface ErasureReceipt {
  sessionsRevoked: number;
  keyDestroyed: boolean;
  readModelRowsDeleted: Record<string, number>;
}

/**
 * The time to erase one user (POST /v1/users/erase, whole product) from an embedded
 * service whose read model holds 10 M events of 100,000 users: the erased user has a
 * live session started through the API (a key, a session to revoke) and ~100 events.
 * Wall time of the request, every step included (revocation, key destruction, waiting
 * for the projector, the deletes from every table, the IdentifierErased event).
 */
export const erasureBenchmark: Benchmark = {
  name: 'erasure',
  title: 'Erase one user at 10 M events',
  layout: 'a child process fills chDB (INSERT … SELECT, views included), then the embedded API runs in its own process; this process times the erase requests',
  async run(context): Promise<BenchmarkRun> {
    const total = context.quick ? 1_000_000 : 10_000_000;
    const dataDir = join(context.workDir, 'erasure');
    const fill = startTsProcess(join(__dirname, 'processes/erasure-fill.ts'), {
      env: { BENCH_EVENTS: String(total), BENCH_USERS: String(USERS), BENCH_DATA_DIR: dataDir },
    });
    fill.onMessage((message) => {
      if (message.type === 'progress') context.progress.update(`erasure: filling ${fmt.int(Number(message.done))} / ${fmt.int(total)} events`);
    });
    const { fillMs } = await fill.waitFor<{ type: 'result'; fillMs: number }>('result', 60 * 60_000);
    if ((await fill.stop()) !== 0) throw new Error(`the fill process failed\n${fill.log}`);
    context.progress.clear();

    const api = await startApiProcess(dataDir);
    const failures: string[] = [];
    const timings: number[] = [];
    const receipts: ErasureReceipt[] = [];
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      for (const n of [42, 4242, 42424]) {
        const identifier = `bench-user-${n}`;
        const started = await post('/v1/sessions', { ...SEED_KEY, data: { userId: identifier } });
        if (started.status !== 201) failures.push(`start-session for ${identifier}: ${started.status} ${await started.text()}`);
        context.progress.update(`erasure: erasing ${identifier}`);
        const from = performance.now();
        const answer = await post('/v1/users/erase', { product: SEED_KEY.product, identifier });
        timings.push(performance.now() - from);
        if (answer.status !== 200) {
          failures.push(`erase ${identifier}: ${answer.status} ${await answer.text()}`);
          continue;
        }
        receipts.push((await answer.json()) as ErasureReceipt);
      }
    } finally {
      context.progress.clear();
      await api.stop();
    }
    const expectedEvents = Math.round(total / USERS);
    for (const receipt of receipts) {
      if ((receipt.readModelRowsDeleted.events ?? 0) < expectedEvents)
        failures.push(`a receipt deleted ${receipt.readModelRowsDeleted.events} events, expected ≥ ${expectedEvents}`);
      if (!receipt.keyDestroyed || receipt.sessionsRevoked !== 1)
        failures.push(`a receipt says keyDestroyed=${receipt.keyDestroyed}, sessionsRevoked=${receipt.sessionsRevoked}`);
    }
    const worst = Math.max(...timings);
    return {
      figures: [
        { label: 'erase one user, wall time (each of 3 users)', value: timings.map((ms) => `${fmt.int(ms)} ms`).join(', '), key: true },
        { label: 'read model', value: `${fmt.int(total)} events of ${fmt.int(USERS)} users (filled in ${(fillMs / 1000).toFixed(1)} s)` },
        { label: 'rows deleted per erasure (first user)', value: JSON.stringify(receipts[0]?.readModelRowsDeleted ?? {}) },
      ],
      verdicts: [atMost(`one erasure ≤ ${TARGET_MS} ms at ${fmt.int(total)} events`, worst, TARGET_MS, (ms) => `${fmt.int(ms)} ms`)],
      failures,
    };
  },
};
