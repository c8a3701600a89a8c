import { GroupCommitWriter, SqliteConnection } from '@waymark/sqlite';
import { PruneHold, SqlitePruneBound } from './sqlite-prune-bound';

/**
 * Events of `product` (in `env`, or in every env but `exceptEnvs`) that happened before
 * `before` (Unix ms) are past retention. The same shape as @waymark/config's
 * RetentionCutoff, which the caller passes as is.
 */
export interface LogPruneRule {
  product: string;
  env?: string;
  exceptEnvs: readonly string[];
  before: number;
}

export interface LogPruneOptions {
  /** Rows looked at, and at most deleted, per transaction: what the writer waits for at most. */
  batchRows: number;
  /**
   * How much older than its append an event can be: the API takes an activity's
   * `occurredAt` up to ACTIVITY_MAX_AGE_MS in the past, other events happen when they
   * are appended. Positions follow appends, so once a batch holds only events newer than
   * the newest cutoff by more than this, no later position can be past retention and
   * the walk stops there instead of reading the whole log.
   */
  lateMs: number;
  /** Asked between batches: a shutting-down service stops the walk. */
  shouldStop?: () => boolean;
}

export interface LogPruneResult {
  removed: number;
  /** The highest position the walk could prune up to (SqlitePruneBound). */
  upTo: number;
  /** Set when events past retention wait beyond `upTo`: what keeps them there. */
  heldBy: PruneHold | undefined;
  /** How many such events the walk saw. */
  held: number;
  /** When the oldest event the walk kept happened (Unix ms); undefined for an empty log. */
  oldestKept: number | undefined;
  batches: number;
  /** The longest delete transaction, in ms. */
  longestBatchMs: number;
}

interface WindowFacts {
  all: number | null;
  kept: number | null;
  due: number;
}

/**
 * Prunes events past retention from the embedded log (docs/retention.md), oldest
 * positions first, in transactions of at most `batchRows` rows queued on the group-commit
 * writer like any write, so appends wait for one small batch at most. Only up to the
 * bound SqlitePruneBound gives (behind every checkpoint, no unfinished replay, never the
 * newest event); the caller reads that bound before pruning the read model, so that
 * every event pruned here was in the read model when the read model was pruned.
 */
export class SqliteLogPruner {
  private readonly bound: SqlitePruneBound;
  private readonly selectFirst;
  private readonly selectWindowEnd;
  private readonly selectHead;
  private readonly selectOldestAfter;

  constructor(
    private readonly db: SqliteConnection,
    private readonly writer: GroupCommitWriter,
    private readonly options: LogPruneOptions,
  ) {
    this.bound = new SqlitePruneBound(db);
    this.selectFirst = db.prepare('SELECT coalesce(min(position), 0) FROM events').pluck();
    this.selectWindowEnd = db.prepare('SELECT position FROM events WHERE position > ? ORDER BY position LIMIT 1 OFFSET ?').pluck();
    this.selectHead = db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck();
    this.selectOldestAfter = db.prepare('SELECT min(occurred_at) FROM (SELECT occurred_at FROM events WHERE position > ? ORDER BY position LIMIT ?)').pluck();
  }

  /** Read before the read model is pruned (see the class comment). */
  readBound(): ReturnType<SqlitePruneBound['read']> {
    return this.bound.read();
  }

  async prune(rules: readonly LogPruneRule[], bound = this.readBound()): Promise<LogPruneResult> {
    const match = matchOf(rules);
    const facts = this.db.prepare(
      `SELECT min(occurred_at) AS "all", min(CASE WHEN ${match.sql} THEN NULL ELSE occurred_at END) AS kept,
              coalesce(sum(CASE WHEN ${match.sql} THEN 1 ELSE 0 END), 0) AS due
       FROM events WHERE position > ? AND position <= ?`,
    );
    const remove = this.db.prepare(`DELETE FROM events WHERE position > ? AND position <= ? AND ${match.sql}`);
    const stopAt = Math.max(...rules.map((rule) => rule.before)) + this.options.lateMs;
    const head = this.selectHead.get() as number;

    const result: LogPruneResult = {
      removed: 0,
      upTo: bound.upTo,
      heldBy: undefined,
      held: 0,
      oldestKept: undefined,
      batches: 0,
      longestBatchMs: 0,
    };
    const keep = (at: number | null) => {
      if (at !== null) result.oldestKept = Math.min(result.oldestKept ?? at, at);
    };
    let cursor = (this.selectFirst.get() as number) - 1;
    let done = rules.length === 0;
    // Past the bound the walk goes on reading only, to count what the bound holds back.
    while (!done && cursor < head && !this.options.shouldStop?.()) {
      const end = (this.selectWindowEnd.get(cursor, this.options.batchRows - 1) as number | undefined) ?? head;
      const to = cursor < bound.upTo ? Math.min(end, bound.upTo) : end;
      const window = facts.get(...match.params, ...match.params, cursor, to) as WindowFacts;
      if (to <= bound.upTo && window.due > 0) {
        const started = performance.now();
        result.removed += await this.writer.run(() => remove.run(cursor, to, ...match.params).changes);
        result.longestBatchMs = Math.max(result.longestBatchMs, performance.now() - started);
        result.batches += 1;
        keep(window.kept);
      } else {
        result.held += window.due;
        keep(window.all);
      }
      done = window.due === 0 && window.all !== null && window.all >= stopAt;
      cursor = to;
    }
    if (result.held > 0) result.heldBy = bound.limit;
    // The walk may have looked at nothing (no rules): the first batch after it counts for the oldest kept.
    keep(this.oldestAfter(cursor));
    return result;
  }

  private oldestAfter(position: number): number | null {
    return this.selectOldestAfter.get(position, this.options.batchRows) as number | null;
  }
}

interface Match {
  sql: string;
  params: Array<string | number>;
}

/**
 * One SQL condition true for an event past any rule's cutoff (false without rules).
 * Only users' events: those without an identifier (session spec changes) are the
 * configuration's history, not anyone's data, and stay.
 */
function matchOf(rules: readonly LogPruneRule[]): Match {
  if (rules.length === 0) return { sql: '0', params: [] };
  const params: Array<string | number> = [];
  const clauses = rules.map((rule) => {
    params.push(rule.product);
    let env = '';
    if (rule.env !== undefined) {
      env = ' AND env = ?';
      params.push(rule.env);
    } else if (rule.exceptEnvs.length > 0) {
      env = ` AND env NOT IN (${rule.exceptEnvs.map(() => '?').join(', ')})`;
      params.push(...rule.exceptEnvs);
    }
    params.push(rule.before);
    return `(product = ?${env} AND occurred_at < ? AND identifier != '')`;
  });
  return { sql: `(${clauses.join(' OR ')})`, params };
}
