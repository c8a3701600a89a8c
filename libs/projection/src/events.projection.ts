import { ClickHouseClient } from '@clickhouse/client';
import { checkEnvelope } from '@waymark/domain';
import { DeadLetter, LoggedRecord } from '@waymark/event-log';
import { EVENT_COLUMNS, EventRow, toEventRow } from '@waymark/read-model';

export interface ProjectionResult {
  projected: number;
  deadLetters: DeadLetter[];
}

/**
 * Rows per INSERT. A batch is cut into chunks of this size so that JavaScript encodes
 * chunk n+1 while ClickHouse (chDB's own threads, or a server) inserts chunk n: one
 * after the other, each waited for the other (projector profile, docs/benchmarks.md).
 */
export const DEFAULT_INSERT_CHUNK_ROWS = 5_000;

/**
 * Writes a batch of log records into the raw events table. Records that fail the
 * envelope check are returned as dead letters instead of stopping the stream.
 * `dedupToken` names the batch; each chunk's INSERT carries `<dedupToken>#<chunk>`, and
 * the chunks of a batch are always cut the same way, so ClickHouse drops the chunks
 * of a retried batch it already has (non_replicated_deduplication_window).
 */
export class EventsProjection {
  constructor(
    private readonly client: ClickHouseClient,
    /** The live `events` table, or a replay's shadow table. */
    private readonly table = 'events',
    private readonly chunkRows = DEFAULT_INSERT_CHUNK_ROWS,
  ) {}

  async project(records: readonly LoggedRecord[], dedupToken: string): Promise<ProjectionResult> {
    const deadLetters: DeadLetter[] = [];
    let projected = 0;
    let inFlight: Promise<unknown> | undefined;
    for (let chunk = 0, from = 0; from < records.length; chunk += 1, from += this.chunkRows) {
      const rows: EventRow[] = [];
      for (const record of records.slice(from, from + this.chunkRows)) {
        const check = checkEnvelope(record.raw);
        if (check.ok) rows.push(toEventRow(check.event, record.position));
        else deadLetters.push({ record, reason: check.reason });
      }
      await inFlight;
      inFlight = rows.length > 0 ? this.insert(rows, `${dedupToken}#${chunk}`) : undefined;
      projected += rows.length;
    }
    await inFlight;
    return { projected, deadLetters };
  }

  private insert(rows: EventRow[], dedupToken: string): Promise<unknown> {
    return this.client.insert({
      table: this.table,
      columns: [...EVENT_COLUMNS],
      values: rows,
      format: 'JSONCompactEachRow',
      clickhouse_settings: { insert_deduplication_token: dedupToken },
    });
  }
}
