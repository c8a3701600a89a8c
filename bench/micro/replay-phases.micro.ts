import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkEnvelope } from '@waymark/domain';
import { LoggedRecord } from '@waymark/event-log';
import { DERIVED_TABLES, EVENT_COLUMNS, toEventRow } from '@waymark/read-model';
import { SHADOW_EVENTS_TABLE, createShadowTable } from '@waymark/replay';
import { fillEmbeddedStore } from '../support/filled-store';

/**
 * Where a replay's time goes, one phase after the other (the replay itself overlaps the
 * first three): reading the SQLite log, checking envelopes and building rows, chDB's
 * INSERTs into the shadow events table (no views fire there), then each derived table's
 * INSERT … SELECT. Wall and process CPU (all threads) per phase, on N synthetic events.
 *
 *   node -r ./bench/support/ts-register.js bench/micro/replay-phases.micro.ts [events, default 1000000]
 */
async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'replay-phases-'));
  const store = await fillEmbeddedStore(dir, total, () => undefined);
  const client = store.clickhouse;
  await createShadowTable(client);
  const timed = async <T>(label: string, work: () => Promise<T> | T): Promise<T> => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = await work();
    const used = process.cpuUsage(cpu);
    const wallMs = performance.now() - started;
    process.stdout.write(
      `${label.padEnd(34)} ${wallMs.toFixed(0).padStart(6)} ms wall  ${((used.user + used.system) / 1000).toFixed(0).padStart(6)} ms CPU  ${((wallMs * 1000) / total).toFixed(1).padStart(5)} µs/event wall\n`,
    );
    return result;
  };

  const reader = store.log.openReader({});
  const batches = await timed('read the log (batches of 10,000)', async () => {
    const read: LoggedRecord[][] = [];
    let cursor: { from: string } | { after: string } = { from: (await reader.resolveStart({ kind: 'beginning' })) as string };
    for (;;) {
      const records = await reader.read(cursor, 10_000);
      if (records.length === 0) return read;
      read.push(records);
      cursor = { after: records[records.length - 1].position };
    }
  });
  const rowSets = await timed('check envelopes, build rows', () =>
    batches.map((records) =>
      records.map((record) => {
        const check = checkEnvelope(record.raw);
        if (!check.ok) throw new Error(check.reason);
        return toEventRow(check.event, record.position);
      }),
    ),
  );
  await timed('INSERT into the shadow events', async () => {
    let batch = 0;
    for (const rows of rowSets) {
      await client.insert({
        table: SHADOW_EVENTS_TABLE,
        columns: [...EVENT_COLUMNS],
        values: rows,
        format: 'JSONCompactEachRow',
        clickhouse_settings: { insert_deduplication_token: `phases:${(batch += 1)}` },
      });
    }
  });
  for (const entry of DERIVED_TABLES) {
    await timed(`populate ${entry.table}`, () => client.command({ query: entry.populate(SHADOW_EVENTS_TABLE, `${entry.table}__replay`) }));
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
