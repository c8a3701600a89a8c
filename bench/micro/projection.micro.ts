import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseClient } from '@clickhouse/client';
import { checkEnvelope, eventEnvelopeSchema } from '@waymark/domain';
import { LoggedRecord } from '@waymark/event-log';
import { EventsProjection } from '@waymark/projection';
import { EVENT_COLUMNS, EventRow, createReadModelClient, migrateReadModel, toEventRow } from '@waymark/read-model';
import { syntheticSessionStarts } from '../support/synthetic-events';

/**
 * A/B in one process, on one chDB with the shipped schema (materialized columns and
 * views included), alternating variants batch by batch so each sees the same machine:
 * - `zod, one insert`: the projection as it was until 2026-11-26 (zod envelope check);
 * - `fast check, one insert`: the hand-written envelope check (what ships);
 * - `fast check, chunks of N`: the same, the batch cut into INSERTs of N rows, the next
 *   chunk encoded while the previous one inserts. Measured slower than one insert
 *   (docs/benchmarks.md), so it is not shipped; the variant stays here for re-measuring.
 * Prints events/s (wall) and process CPU per event, all threads.
 *
 *   node -r ./bench/support/ts-register.js bench/micro/projection.micro.ts [rounds] [chunk rows]
 */
const BATCH = 10_000;

class ZodProjection {
  constructor(private readonly client: ClickHouseClient) {}
  async project(records: readonly LoggedRecord[], token: string): Promise<void> {
    const rows: EventRow[] = [];
    for (const record of records) {
      const parsed = eventEnvelopeSchema.safeParse(JSON.parse(record.raw));
      if (parsed.success) rows.push(toEventRow(parsed.data, record.position));
    }
    await this.client.insert({
      table: 'events',
      columns: [...EVENT_COLUMNS],
      values: rows,
      format: 'JSONCompactEachRow',
      clickhouse_settings: { insert_deduplication_token: token },
    });
  }
}

/** One INSERT per chunk, the next chunk encoded while the previous one inserts. */
class ChunkedProjection {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly chunkRows: number,
  ) {}
  async project(records: readonly LoggedRecord[], token: string): Promise<void> {
    let inFlight: Promise<unknown> | undefined;
    for (let chunk = 0, from = 0; from < records.length; chunk += 1, from += this.chunkRows) {
      const rows: EventRow[] = [];
      for (const record of records.slice(from, from + this.chunkRows)) {
        const check = checkEnvelope(record.raw);
        if (check.ok) rows.push(toEventRow(check.event, record.position));
      }
      await inFlight;
      inFlight = this.client.insert({
        table: 'events',
        columns: [...EVENT_COLUMNS],
        values: rows,
        format: 'JSONCompactEachRow',
        clickhouse_settings: { insert_deduplication_token: `${token}#${chunk}` },
      });
    }
    await inFlight;
  }
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 12);
  const chunkRows = Number(process.argv[3] ?? 5_000);
  const dir = mkdtempSync(join(tmpdir(), 'waymark-projection-micro-'));
  const client = createReadModelClient({ kind: 'chdb', path: dir });
  try {
    await migrateReadModel(client);
    const variants: Record<string, { project(records: readonly LoggedRecord[], token: string): Promise<unknown> }> = {
      'zod, one insert': new ZodProjection(client),
      'fast check, one insert': new EventsProjection(client, 'events'),
      [`fast check, chunks of ${chunkRows}`]: new ChunkedProjection(client, chunkRows),
    };
    const names = Object.keys(variants);
    const totals = Object.fromEntries(names.map((name) => [name, { cpuUs: 0, wallMs: 0, events: 0 }]));
    const stream = await syntheticSessionStarts(rounds * names.length * BATCH, 100_000, 5_000);
    let position = 0;
    for (let round = 0; round < rounds; round += 1) {
      // Rotate the order so no variant always runs first (after merges, or a cold cache).
      for (let i = 0; i < names.length; i += 1) {
        const name = names[(round + i) % names.length];
        const records = stream.next(BATCH).map((event) => ({ raw: JSON.stringify(event), position: String(++position) }));
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        await variants[name].project(records, `micro:${name}:${round}`);
        const cpu = process.cpuUsage(cpuBefore);
        totals[name].cpuUs += cpu.user + cpu.system;
        totals[name].wallMs += performance.now() - started;
        totals[name].events += BATCH;
      }
      process.stderr.write(`\rround ${round + 1}/${rounds}`);
    }
    process.stderr.write('\n');
    for (const [name, total] of Object.entries(totals)) {
      console.log(
        `${name.padEnd(28)} ${Math.round((total.events / total.wallMs) * 1000).toLocaleString('en-US')} events/s, ${(total.cpuUs / total.events).toFixed(1)} µs CPU per event (${(total.cpuUs / 1000 / total.wallMs).toFixed(2)} cores)`,
      );
    }
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
