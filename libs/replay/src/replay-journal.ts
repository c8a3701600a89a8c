import { SqliteConnection } from '@waymark/sqlite';
import { ReplayStatus } from './replay-engine';
import { ReplayPlan, ReplayRequest } from './replay-plan';

/** What is remembered of a replay, so that an interrupted one can resume where it stopped. */
export interface ReplayRecord {
  id: string;
  createdAt: number;
  updatedAt: number;
  status: ReplayStatus;
  request: ReplayRequest;
  plan: ReplayPlan;
  /** The out-of-scope rows of a partial replay are already in the shadow table. */
  copied: boolean;
  /**
   * The shadow tables were marked and the first `EXCHANGE TABLES` may have run: from here
   * the run can only be finished (`swapShadowIn` skips the pairs already exchanged).
   */
  swapStarted: boolean;
  /** Last log position written into the shadow table. */
  reached: string | undefined;
  processed: number;
  skipped: number;
  /** Of `skipped`, the events ClickHouse refused (0 in runs saved before embedded migration 6 counted them). */
  refused: number;
  error: string | undefined;
}

interface ReplayRow {
  id: string;
  created_at: number;
  updated_at: number;
  status: ReplayStatus;
  request: string;
  plan: string;
  copied: number;
  swap_started: number;
  reached: string | null;
  processed: number;
  skipped: number;
  refused: number;
  error: string | null;
}

/** Replay runs in the embedded database (written directly: a few rows a second at most). */
export class ReplayJournal {
  constructor(private readonly db: SqliteConnection) {}

  save(record: ReplayRecord): void {
    this.db
      .prepare(
        `INSERT INTO replay_runs (id, created_at, updated_at, status, request, plan, copied, swap_started, reached, processed, skipped, refused, error)
         VALUES (@id, @created_at, @updated_at, @status, @request, @plan, @copied, @swap_started, @reached, @processed, @skipped, @refused, @error)
         ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, status = excluded.status, copied = excluded.copied,
           swap_started = excluded.swap_started, reached = excluded.reached, processed = excluded.processed, skipped = excluded.skipped,
           refused = excluded.refused, error = excluded.error`,
      )
      .run({
        id: record.id,
        created_at: record.createdAt,
        updated_at: record.updatedAt,
        status: record.status,
        request: JSON.stringify(record.request),
        plan: JSON.stringify(record.plan),
        copied: record.copied ? 1 : 0,
        swap_started: record.swapStarted ? 1 : 0,
        reached: record.reached ?? null,
        processed: record.processed,
        skipped: record.skipped,
        refused: record.refused,
        error: record.error ?? null,
      });
  }

  find(id: string): ReplayRecord | undefined {
    const row = this.db.prepare('SELECT * FROM replay_runs WHERE id = ?').get(id) as ReplayRow | undefined;
    return row && toRecord(row);
  }

  /** The replay that is running or interrupted, if any: only one may own the shadow table. */
  unfinished(): ReplayRecord | undefined {
    const row = this.db.prepare("SELECT * FROM replay_runs WHERE status IN ('running', 'interrupted') ORDER BY created_at DESC LIMIT 1").get() as
      ReplayRow | undefined;
    return row && toRecord(row);
  }

  /** The latest runs, newest first. */
  list(limit: number): ReplayRecord[] {
    return (this.db.prepare('SELECT * FROM replay_runs ORDER BY created_at DESC, id DESC LIMIT ?').all(limit) as ReplayRow[]).map(toRecord);
  }
}

function toRecord(row: ReplayRow): ReplayRecord {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    status: row.status,
    request: JSON.parse(row.request) as ReplayRequest,
    plan: JSON.parse(row.plan) as ReplayPlan,
    copied: row.copied === 1,
    swapStarted: row.swap_started === 1,
    reached: row.reached ?? undefined,
    processed: row.processed,
    skipped: row.skipped,
    refused: row.refused,
    error: row.error ?? undefined,
  };
}
