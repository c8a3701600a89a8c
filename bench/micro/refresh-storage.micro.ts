import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEnvelope, SessionRecord, decideRefresh } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { SqliteSessionStore } from '@waymark/session-store';
import { GroupCommitWriter, openEmbeddedDatabase } from '@waymark/sqlite';

/**
 * The storage half of a refresh, without HTTP or crypto: `sessions` sessions in a fresh
 * embedded database file (as the API opens it: WAL, FULL), then `clients` loops that
 * each pick a random session and do find → decideRefresh → compare-and-set update with
 * its event through the group-commit writer, with a stored answer as long as a real
 * sealed one, for `seconds`. Prints process CPU per refresh (all threads, the fsyncs'
 * system time included) and the group sizes. Run it from two worktrees in turn to
 * compare two versions of the store or schema.
 *
 *   node -r ./bench/support/ts-register.js bench/micro/refresh-storage.micro.ts [seconds] [sessions] [clients] [rounds]
 */
async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 5);
  const sessions = Number(process.argv[3] ?? 5000);
  const clients = Number(process.argv[4] ?? 16);
  const rounds = Number(process.argv[5] ?? 3);
  const root = join(__dirname, '../../.tmp');
  for (let round = 0; round < rounds; round += 1) {
    const dir = mkdtempSync(join(root, 'refresh-storage-'));
    const db = openEmbeddedDatabase(join(dir, 'waymark.db'));
    const writer = new GroupCommitWriter(db);
    let groups = 0;
    let jobs = 0;
    writer.onCommit((stats) => {
      groups += 1;
      jobs += stats.jobs;
    });
    const store = new SqliteSessionStore(db, writer, new SqliteEventLog(db, writer));
    const ids: string[] = [];
    for (let start = 0; start < sessions; start += 500) {
      ids.push(...(await Promise.all(Array.from({ length: Math.min(500, sessions - start) }, (_, i) => createSession(store, start + i)))));
    }
    const answers = Array.from({ length: 64 }, () => randomBytes(1000).toString('base64url'));

    const cpuBefore = process.cpuUsage();
    const groupsBefore = groups;
    const jobsBefore = jobs;
    const deadline = performance.now() + seconds * 1000;
    let refreshes = 0;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < deadline) {
          const record = (await store.find(ids[Math.floor(Math.random() * ids.length)])) as SessionRecord;
          const decision = decideRefresh(record, {
            now: Date.now(),
            eventId: randomUUID(),
            revocationEventId: randomUUID(),
            meta: { requestId: 'bench', source: 'api' },
            presentedHash: record.refreshTokenHash,
            graceMs: 10_000,
            nextRefreshHash: randomBytes(32).toString('base64url'),
          });
          if (decision.kind !== 'rotate') throw new Error(`unexpected ${decision.kind}`);
          const saved = { ...decision.record, lastRefreshSealed: answers[refreshes % answers.length] };
          if (await store.update(saved, record.version, [decision.event])) refreshes += 1;
        }
      }),
    );
    const cpu = process.cpuUsage(cpuBefore);
    const g = groups - groupsBefore;
    process.stdout.write(
      `round ${round + 1}: ${refreshes} refreshes over ${sessions} sessions, ${(((cpu.user + cpu.system) / refreshes) | 0).toString().padStart(4)} µs CPU per refresh ` +
        `(${((jobs - jobsBefore) / Math.max(1, g)).toFixed(1)} per group, ${g} groups)  load ${loadavg()[0].toFixed(1)}\n`,
    );
    await Promise.resolve(writer.close());
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
    absoluteExpiresAt: now + 30 * 86_400_000,
    idleTimeoutMs: 86_400_000,
    lastUsedAt: now,
    sealedData: randomBytes(220).toString('base64url'),
    refreshTokenHash: randomBytes(32).toString('base64url'),
    spentRefreshTokenHashes: [],
    rotatedAt: null,
    lastRefreshSealed: randomBytes(1000).toString('base64url'),
    generation: 0,
    version: 1,
    revokedAt: null,
    revokeReason: null,
  };
  const event = {
    id: randomUUID(),
    type: 'SessionStarted',
    version: 1,
    occurredAt: new Date(now).toISOString(),
    product: 'bench',
    env: 'prod',
    tag: 'web',
    sessionId,
    identifier: record.identifier,
    data: {},
    meta: { requestId: 'bench', source: 'api' },
  } as unknown as EventEnvelope;
  await store.create(record, [event]);
  return sessionId;
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
