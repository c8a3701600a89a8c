import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLog } from '@waymark/event-log';
import { EventsProjection, Projector } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { GroupCommitWriter, openEmbeddedDatabase } from '@waymark/sqlite';
import { syntheticSessionStarts } from '../support/synthetic-events';

/**
 * What the projector's linger saves under a steady trickle, as the embedded API makes
 * one: events appended in commits of `perCommit` every `everyMs` (default 30 events
 * every 10 ms, ~3,000/s, about a busy API's group commits), an in-process projector
 * into chDB, for `seconds`. Prints, per linger, the INSERTs made, the process CPU
 * (all threads: chDB's views included) per event, and how far behind the projector was
 * at the end. Variants alternate in one process, each on a fresh log and read model.
 *
 *   node -r ./bench/support/ts-register.js bench/micro/projector-linger.micro.ts [seconds] [lingers, e.g. 0,100,0,100]
 */
async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const lingers = (process.argv[3] ?? '0,100,0,100').split(',').map(Number);
  const perCommit = 30;
  const everyMs = 10;
  const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
  for (const lingerMs of lingers) {
    const dir = mkdtempSync(join(tmpdir(), 'linger-'));
    const db = openEmbeddedDatabase(join(dir, 'waymark.db'));
    const writer = new GroupCommitWriter(db);
    const log = new SqliteEventLog(db, writer);
    const clickhouse = createReadModelClient({ kind: 'chdb', path: join(dir, 'clickhouse') });
    await migrateReadModel(clickhouse);
    const stream = await syntheticSessionStarts(Math.ceil((seconds * 1000 * perCommit) / everyMs), 10_000, (perCommit * 1000) / everyMs);
    const projector = new Projector(log.openConsumer('read-model'), new EventsProjection(clickhouse), silent, {
      group: 'read-model',
      maxBatch: 10_000,
      maxWaitMs: 500,
      lingerMs,
      retryBaseMs: 10,
      retryMaxMs: 100,
    });
    projector.start();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let appended = 0;
    while (performance.now() - started < seconds * 1000) {
      await log.append(stream.next(perCommit));
      appended += perCommit;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    const cpu = process.cpuUsage(cpuBefore);
    const behind = appended - projector.stats.projected;
    const inserts = projector.stats.batches;
    await projector.stop();
    await clickhouse.close();
    writer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
    const cpuUs = cpu.user + cpu.system;
    process.stdout.write(
      `linger ${String(lingerMs).padStart(4)} ms: ${appended} events, ${inserts} inserts (${(appended / Math.max(1, inserts)).toFixed(0)} events each), ` +
        `${(cpuUs / appended).toFixed(1)} µs CPU per event (all threads), ${behind} not yet projected at the end\n`,
    );
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
