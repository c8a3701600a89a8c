import { ClickHouseClient } from '@clickhouse/client';
import { checkEnvelope } from '@waymark/domain';
import { DeadLetter, LoggedRecord } from '@waymark/event-log';
import { EVENT_COLUMNS, EventRow, toEventRow } from '@waymark/read-model';

export interface ProjectionResult {
  projected: number;
  deadLetters: DeadLetter[];
}

/**
 * Writes a batch of log records into the raw events table. Records that fail the
 * envelope check are returned as dead letters instead of stopping the stream.
 * `dedupToken` names the batch so that ClickHouse drops an identical retried insert.
 *
 * One INSERT per batch: cutting a batch into smaller INSERTs so that JavaScript encodes
 * one while ClickHouse inserts the other was measured slower here (more parts, and every
 * materialized view runs per INSERT): bench/micro/projection.micro.ts, docs/benchmarks.md.
 */
export class EventsProjection {
  constructor(
    private readonly client: ClickHouseClient,
    /** The live `events` table, or a replay's shadow table. */
    private readonly table = 'events',
  ) {}

  async project(records: readonly LoggedRecord[], dedupToken: string): Promise<ProjectionResult> {
    const rows: EventRow[] = [];
    const deadLetters: DeadLetter[] = [];
    for (const record of records) {
      const check = checkEnvelope(record.raw);
      if (check.ok) rows.push(toEventRow(check.event, record.position));
      else deadLetters.push({ record, reason: check.reason });
    }
    if (rows.length > 0) {
      await this.client.insert({
        table: this.table,
        columns: [...EVENT_COLUMNS],
        values: rows,
        format: 'JSONCompactEachRow',
        clickhouse_settings: { insert_deduplication_token: dedupToken },
      });
    }
    return { projected: rows.length, deadLetters };
  }
}
