import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEnvelope, SessionRecord, decideRefresh } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { SqliteSessionStore } from '@waymark/session-store';
import { GroupCommitWriter, openEmbeddedDatabase } from '@waymark/sqlite';

/**
 * The refresh path's storage work under the group-commit writer, without HTTP: `clients`
 * loops, each owning a session, each doing find → `workUs` of busy CPU (standing in for
 * the request's crypto and framework work) → compare-and-set update with its event,
 * for `seconds`, pausing up to `jitterMs` between refreshes. Two ways of making a group durable, alternating in one process, each
 * on a fresh database file under .tmp/:
 *
 * - `full`: `synchronous = FULL`, the fsync inside COMMIT on the event loop (the code
 *   before session 4: the writer with no sync of its own);
 * - `async`: `synchronous = NORMAL` and the writer's fdatasync of the WAL in libuv's
 *   thread pool (session 4).
 *
 * Prints refreshes/s, process CPU per refresh (all threads), group commits and jobs per
 * group, and the event loop's idle share.
 *
 *   node -r ./bench/support/ts-register.js bench/micro/group-commit-sync.micro.ts [seconds] [variants, e.g. full,async,full,async] [clients] [workUs] [jitterMs]
 */
async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 8);
  const variants = (process.argv[3] ?? 'full,async,full,async').split(',') as Array<'full' | 'async'>;
  const clients = Number(process.argv[4] ?? 50);
  const workUs = Number(process.argv[5] ?? 500);
  // Each loop pauses up to this long between refreshes (uniformly at random), so requests
  // arrive spread over the loop's turns as they do over HTTP instead of in lock-step.
  const jitterMs = Number(process.argv[6] ?? 2);
  const root = join(__dirname, '../../.tmp');
  for (const variant of variants) {
    const dir = mkdtempSync(join(root, 'gcw-micro-'));
    const db = openEmbeddedDatabase(join(dir, 'waymark.db'));
    if (variant === 'full') db.pragma('synchronous = FULL');
    const writer = new GroupCommitWriter(db, variant === 'full' ? { sync: null } : {});
    let groups = 0;
    let jobs = 0;
    let groupMs = 0;
    writer.onCommit((stats) => {
      groups += 1;
      jobs += stats.jobs;
      groupMs += stats.ms;
    });
    const log = new SqliteEventLog(db, writer);
    const store = new SqliteSessionStore(db, writer, log);
    const ids = await Promise.all(Array.from({ length: clients }, (_, i) => createSession(store, i)));

    const { eventLoopUtilization } = performance;
    const eluBefore = eventLoopUtilization();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const deadline = started + seconds * 1000;
    let refreshes = 0;
    const latencies: number[] = [];
    await Promise.all(
      ids.map(async (sessionId) => {
        while (performance.now() < deadline) {
          const began = performance.now();
          const record = (await store.find(sessionId)) as SessionRecord;
          busy(workUs);
          const now = Date.now();
          const decision = decideRefresh(record, {
            now,
            eventId: randomUUID(),
            meta: { requestId: 'bench', source: 'api' },
            presentedHash: record.refreshTokenHash,
            graceMs: 10_000,
            nextRefreshHash: randomBytes(32).toString('base64url'),
          });
          if (decision.kind !== 'rotate') throw new Error(`unexpected ${decision.kind}`);
          const saved = { ...decision.record, lastRefreshSealed: randomBytes(900).toString('base64url') };
          if (!(await store.update(saved, record.version, [decision.event]))) throw new Error('lost a compare-and-set with no competitor');
          refreshes += 1;
          latencies.push(performance.now() - began);
          if (jitterMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * jitterMs));
        }
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const elu = eventLoopUtilization(eluBefore);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)];
    process.stdout.write(
      `${variant.padEnd(5)} ${String(Math.round(refreshes / elapsedS)).padStart(6)}/s  CPU ${(((cpu.user + cpu.system) / refreshes) | 0).toString().padStart(4)} µs/refresh  ` +
        `p99 ${p99.toFixed(1)} ms  ${groups} groups, ${(jobs / Math.max(1, groups)).toFixed(1)} jobs each, ${(groupMs / Math.max(1, groups)).toFixed(2)} ms from BEGIN to durable  event loop busy ${(elu.utilization * 100).toFixed(0)}%  (load ${loadText()})\n`,
    );
    await writer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function createSession(store: SqliteSessionStore, i: number): Promise<string> {
  const now = Date.now();
  const sessionId = randomUUID();
  const record: SessionRecord = {
    sessionId,
    product: 'bench',
    env: 'prod',
    tag: 'web',
    identifier: `user-${i}`,
    status: 'active',
    startedAt: now,
    expiresAt: now + 900_000,
    refreshExpiresAt: now + 86_400_000,
    tokenTtlMs: 900_000,
    refreshTtlMs: 86_400_000,
    sealedData: randomBytes(220).toString('base64url'),
    refreshTokenHash: randomBytes(32).toString('base64url'),
    spentRefreshTokenHashes: [],
    rotatedAt: null,
    lastRefreshSealed: null,
    generation: 0,
    version: 1,
    revokedAt: null,
    revokeReason: null,
  };
  const event = { id: randomUUID(), type: 'SessionStarted', version: 1, occurredAt: new Date(now).toISOString(), product: 'bench', env: 'prod', tag: 'web', sessionId, identifier: record.identifier, data: {}, meta: { requestId: 'bench', source: 'api' } } as unknown as EventEnvelope;
  await store.create(record, [event]);
  return sessionId;
}

function busy(us: number): void {
  const until = performance.now() + us / 1000;
  while (performance.now() < until) {
    // spin: the request's CPU work
  }
}

function loadText(): string {
  return require('node:os')
    .loadavg()
    .map((value: number) => value.toFixed(1))
    .join(' ');
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
