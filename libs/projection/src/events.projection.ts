import { ClickHouseClient } from '@clickhouse/client';
import { checkEnvelope } from '@waymark/domain';
import { DeadLetter, LoggedRecord } from '@waymark/event-log';
import { EVENT_COLUMNS, EventRow, toEventRow } from '@waymark/read-model';

/** A batch checked and turned into rows, not inserted yet. */
export interface PreparedBatch {
  rows: EventRow[];
  deadLetters: DeadLetter[];
}

export interface ProjectionResult {
  projected: number;
  deadLetters: DeadLetter[];
}

/**
 * Writes a batch of log records into the raw events table. Records that fail the
 * envelope check (which holds them to the read model's limits) are returned as dead
 * letters instead of stopping the stream; a value that passes it and ClickHouse still
 * refuses fails the INSERT, and the projector bisects the batch around it.
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

  /**
   * Each record of a refused INSERT, prepared: its row or its dead letter. A refused batch
   * is bisected (the projector inserts halves of it, then quarters...), every piece
   * holding the same record objects; without this each piece would parse and check its
   * records again. Filled only when an INSERT fails, so the healthy path pays one failed
   * lookup per record; weak, so records go with the batch that holds them.
   */
  private readonly preparedOfRefused = new WeakMap<LoggedRecord, EventRow | DeadLetter>();

  async project(records: readonly LoggedRecord[], dedupToken: string): Promise<ProjectionResult> {
    const outcomes = records.map((record) => this.preparedOfRefused.get(record) ?? this.prepareRecord(record));
    const prepared: PreparedBatch = { rows: [], deadLetters: [] };
    for (const outcome of outcomes) {
      if (Array.isArray(outcome)) prepared.rows.push(outcome);
      else prepared.deadLetters.push(outcome);
    }
    try {
      await this.insert(prepared, dedupToken);
    } catch (error) {
      records.forEach((record, i) => this.preparedOfRefused.set(record, outcomes[i]));
      throw error;
    }
    return { projected: prepared.rows.length, deadLetters: prepared.deadLetters };
  }

  /**
   * The JavaScript half of `project`: checks each envelope and builds its row. Split out
   * so that a reader with no checkpoint to keep (replay) can prepare batch n+1 while
   * ClickHouse inserts batch n.
   */
  prepare(records: readonly LoggedRecord[]): PreparedBatch {
    const rows: EventRow[] = [];
    const deadLetters: DeadLetter[] = [];
    for (const record of records) {
      const outcome = this.prepareRecord(record);
      if (Array.isArray(outcome)) rows.push(outcome);
      else deadLetters.push(outcome);
    }
    return { rows, deadLetters };
  }

  /** One record's row, or its dead letter when it fails the envelope check or cannot become a row. */
  private prepareRecord(record: LoggedRecord): EventRow | DeadLetter {
    const check = checkEnvelope(record.raw);
    if (!check.ok) return { record, reason: check.reason };
    try {
      return toEventRow(check.event, record.position);
    } catch (error) {
      // The same record fails the same way on every attempt: thrown from here it would
      // fail the whole batch for ever (say a `data` nested past what JSON.stringify's
      // recursion survives, were the envelope check ever to let one through).
      return { record, reason: `cannot build the row: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /** The ClickHouse half of `project`: one INSERT of the batch's rows. */
  async insert(prepared: PreparedBatch, dedupToken: string): Promise<void> {
    if (prepared.rows.length === 0) return;
    await this.client.insert({
      table: this.table,
      columns: [...EVENT_COLUMNS],
      values: prepared.rows,
      format: 'JSONCompactEachRow',
      clickhouse_settings: { insert_deduplication_token: dedupToken },
    });
  }
}
