import { ClickHouseClient } from '@clickhouse/client';
import { SqliteLogFacts } from '@waymark/event-log';
import { LogIntegrityFinding, LogIntegrityReport, reportOf } from './log-integrity-report';

/** How many positions below the head are compared by event id (see `positions_reused`). */
export const REUSE_WINDOW = 10_000;

/** An event the read model holds and the log does not, with the position the read model knows it by. */
export interface MissingEvent {
  id: string;
  position: number;
}

export interface EmbeddedLogComparison {
  head: number;
  /** The read model's newest embedded-log position. */
  top: number;
  /** Positions after this one were compared by event id. */
  after: number;
  /** In the read model's position order. */
  missing: MissingEvent[];
}

async function readModelTop(clickhouse: ClickHouseClient): Promise<number> {
  // Kafka positions (`partition:offset`) read as 0 here: they are not this log's.
  const result = await clickhouse.query({ query: 'SELECT max(toUInt64OrZero(log_position)) AS top FROM events', format: 'JSONEachRow' });
  const [row] = await result.json<{ top: string | number }>();
  return Number(row?.top ?? 0);
}

async function readModelEventsAfter(clickhouse: ClickHouseClient, after: number): Promise<MissingEvent[]> {
  const result = await clickhouse.query({
    query: `SELECT toString(event_id) AS id, min(toUInt64OrZero(log_position)) AS position
            FROM events WHERE toUInt64OrZero(log_position) > {after:UInt64}
            GROUP BY event_id ORDER BY position, id`,
    query_params: { after },
    format: 'JSONEachRow',
  });
  return (await result.json<{ id: string; position: string | number }>()).map((row) => ({ id: row.id, position: Number(row.position) }));
}

/**
 * The events the read model holds, at or near the log's end, that the embedded log no
 * longer has: every read-model event past the log's head, and, within the last
 * REUSE_WINDOW positions, every one whose id the log does not hold from there on.
 * Compared by event id, never by position alone: positions of a log that lost its tail
 * are handed out again to new events.
 */
export async function compareEmbeddedLog(facts: SqliteLogFacts, clickhouse: ClickHouseClient): Promise<EmbeddedLogComparison> {
  const head = facts.head();
  const top = await readModelTop(clickhouse);
  const after = Math.max(0, Math.min(head, top) - REUSE_WINDOW);
  if (top <= after) return { head, top, after, missing: [] };
  const inLog = facts.eventIdsAfter(after);
  const missing = (await readModelEventsAfter(clickhouse, after)).filter((event) => !inLog.has(event.id));
  return { head, top, after, missing };
}

/**
 * Does the embedded log still hold everything the read model and the checkpoints have
 * seen? A truncated or damaged WAL loses the log's last commits: SQLite replays the WAL
 * up to the first frame that does not check out and drops the rest, silently. The
 * checkpoints live in the same file and go back with it, but the read model (chDB, its
 * own files) keeps the lost events, so:
 *
 * - `read_model_ahead`: the read model has events at positions past the log's head;
 * - `positions_reused`: the service went on after a loss, new events took the lost
 *   positions, and the read model holds events there the log does not (seen within the
 *   last REUSE_WINDOW positions; the first start after a loss always sees
 *   `read_model_ahead`);
 * - `checkpoint_ahead`: a consumer committed past the head (damage that kept a later
 *   checkpoint but not the events before it, or a file restored from an older copy).
 *
 * Costs one scan of the read model's `log_position` column at start-up.
 */
export async function checkEmbeddedLogIntegrity(facts: SqliteLogFacts, clickhouse: ClickHouseClient, dataDir: string): Promise<LogIntegrityReport> {
  const { head, top, missing } = await compareEmbeddedLog(facts, clickhouse);
  const findings: LogIntegrityFinding[] = [];
  const ahead = missing.filter((event) => event.position > head);
  const reused = missing.filter((event) => event.position <= head);
  if (ahead.length > 0) {
    findings.push({
      kind: 'read_model_ahead',
      detail: `the read model holds ${ahead.length} events at log positions up to ${top} that the event log, which ends at position ${head}, does not have`,
      missingEvents: ahead.length,
    });
  }
  if (reused.length > 0) {
    findings.push({
      kind: 'positions_reused',
      detail:
        `the read model holds ${reused.length} events at log positions ${reused[0].position}..${reused[reused.length - 1].position} ` +
        'that the event log does not have (lost, and their positions reused by new events)',
      missingEvents: reused.length,
    });
  }
  for (const checkpoint of facts.checkpointsBeyond(head)) {
    findings.push({
      kind: 'checkpoint_ahead',
      detail: `consumer "${checkpoint.consumer}" committed position ${checkpoint.position}, but the event log ends at position ${head}`,
      missingEvents: 0,
    });
  }
  return reportOf(findings, `stop the service, then run \`waymark log repair --data-dir ${dataDir}\` (docs/operations.md, "Start-up integrity check")`);
}
