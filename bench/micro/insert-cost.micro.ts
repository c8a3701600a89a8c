import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoggedRecord } from '@waymark/event-log';
import { EventsProjection } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { materializedViews, timeInserts } from '../support/chdb-inserts';
import { syntheticSessionStarts } from '../support/synthetic-events';

/**
 * What one projector INSERT costs on chDB, and how much of it is fixed: the process CPU
 * (all threads, chDB's included) per INSERT of `size` events into a fresh read model
 * (only the INSERT call on the clock, not building the rows),
 * first into a copy of `events` with no views, then into `events` with every view, then
 * again after dropping the views one by one. The fixed part (a part written per table,
 * the views' pipelines) is why the projector lingers once caught up
 * (`PROJECTOR_LINGER_MS`): under a steady load the number of INSERTs per second, not the
 * number of events, sets its cost.
 *
 *   node -r ./bench/support/ts-register.js bench/micro/insert-cost.micro.ts [events per insert, default 25] [inserts per variant, default 30]
 */
async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? 25);
  const inserts = Number(process.argv[3] ?? 30);
  const dir = mkdtempSync(join(tmpdir(), 'insert-cost-'));
  const client = createReadModelClient({ kind: 'chdb', path: join(dir, 'clickhouse') });
  try {
    await migrateReadModel(client);
    await client.command({ query: 'CREATE TABLE events_without_views AS events' });
    const stream = await syntheticSessionStarts(size * inserts * 12, 10_000, 3_000);
    let position = 0;
    const nextRecords = (): LoggedRecord[] => stream.next(size).map((event) => ({ position: String(++position), raw: JSON.stringify(event) }));
    const measure = async (label: string, projection: EventsProjection): Promise<void> => {
      let made = 0;
      const next = async () => (made++ < inserts ? projection.prepare(nextRecords()) : undefined);
      const timing = await timeInserts(next, (batch) => projection.insert(batch, `insert-cost:${position}`));
      process.stdout.write(
        `${label.padEnd(58)} ${(timing.cpuMs / inserts).toFixed(1).padStart(6)} ms CPU, ${(timing.wallMs / inserts).toFixed(1).padStart(6)} ms wall per INSERT of ${size}\n`,
      );
    };
    const withoutViews = new EventsProjection(client, 'events_without_views');
    const live = new EventsProjection(client);
    for (let round = 1; round <= 2; round += 1) {
      await measure(`round ${round}: events without views`, withoutViews);
      await measure(`round ${round}: events with every view`, live);
    }
    for (const view of await materializedViews(client)) {
      await client.command({ query: `DROP TABLE ${view}` });
      await measure(`events, after dropping ${view}`, live);
    }
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
