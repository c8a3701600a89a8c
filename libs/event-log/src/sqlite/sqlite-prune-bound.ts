import { SqliteConnection } from '@waymark/sqlite';

/** What keeps events in the embedded log past their retention. */
export type PruneHold =
  /** No consumer has committed anything yet: nothing is known to be projected. */
  | { kind: 'no_checkpoint' }
  /** The consumer furthest behind: nothing after its checkpoint may go. */
  | { kind: 'consumer'; consumer: string; position: number }
  /** A replay that is running or interrupted (it may resume): nothing goes until it ends. */
  | { kind: 'replay'; id: string; status: string };

/**
 * The highest position retention may prune up to, and what holds it there.
 *
 * - Only events every consumer has committed: one not yet read by a consumer (the
 *   projector, any other group in `checkpoints`) is still to be projected, and pruned
 *   first it would never reach the read model, nor be removed from it by retention.
 * - Nothing while a replay is unfinished (`replay_runs` running or interrupted): its
 *   shadow tables already hold what it read and are swapped in when it ends, so an
 *   event pruned from the log meanwhile would come back into the read model without
 *   being in the log (what the start-up integrity check reports as a lost log).
 * - Never the newest event: positions are SQLite rowids (`INTEGER PRIMARY KEY`, no
 *   AUTOINCREMENT), which restart after the highest remaining one; with the head kept,
 *   no position is ever handed out twice (checkpoints and ClickHouse's insert
 *   deduplication name batches by position).
 */
export interface PruneBound {
  upTo: number;
  /** What sets `upTo` below the head (undefined: only the head itself is kept). */
  limit: PruneHold | undefined;
}

export class SqlitePruneBound {
  private readonly selectHead;
  private readonly selectSlowest;
  private readonly selectReplay;

  constructor(db: SqliteConnection) {
    this.selectHead = db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck();
    this.selectSlowest = db.prepare('SELECT consumer, position FROM checkpoints ORDER BY position, consumer LIMIT 1');
    this.selectReplay = db.prepare("SELECT id, status FROM replay_runs WHERE status IN ('running', 'interrupted') ORDER BY created_at LIMIT 1");
  }

  read(): PruneBound {
    const replay = this.selectReplay.get() as { id: string; status: string } | undefined;
    if (replay) return { upTo: 0, limit: { kind: 'replay', id: replay.id, status: replay.status } };
    const slowest = this.selectSlowest.get() as { consumer: string; position: number } | undefined;
    if (!slowest) return { upTo: 0, limit: { kind: 'no_checkpoint' } };
    const beforeHead = (this.selectHead.get() as number) - 1;
    if (slowest.position <= beforeHead) return { upTo: slowest.position, limit: { kind: 'consumer', ...slowest } };
    return { upTo: Math.max(0, beforeHead), limit: undefined };
  }
}

/** The hold in words, for logs and /health/ready. */
export function describeHold(hold: PruneHold): string {
  switch (hold.kind) {
    case 'no_checkpoint':
      return 'no consumer has committed a checkpoint yet';
    case 'consumer':
      return `consumer "${hold.consumer}" has committed up to position ${hold.position}`;
    case 'replay':
      return `replay ${hold.id} is ${hold.status}`;
  }
}
