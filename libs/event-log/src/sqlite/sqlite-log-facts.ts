import { SqliteConnection } from '@waymark/sqlite';

/** A consumer checkpoint and the position it has committed. */
export interface CheckpointFact {
  consumer: string;
  position: number;
}

/**
 * What the embedded log itself says about its extent, for the start-up integrity check:
 * its head, the checkpoints past it, and which event sits at which position. Read-only.
 */
export class SqliteLogFacts {
  constructor(private readonly db: SqliteConnection) {}

  head(): number {
    return this.db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck().get() as number;
  }

  /** Checkpoints at a position the log does not reach: those consumers processed events that are gone. */
  checkpointsBeyond(head: number): CheckpointFact[] {
    return this.db.prepare('SELECT consumer, position FROM checkpoints WHERE position > ? ORDER BY consumer').all(head) as CheckpointFact[];
  }

  /** The ids of the events at positions after `after`, lower-cased (the read model's UUID text). */
  eventIdsAfter(after: number): Set<string> {
    const ids = this.db.prepare('SELECT event_id FROM events WHERE position > ?').pluck().all(after) as string[];
    return new Set(ids.map((id) => id.toLowerCase()));
  }
}
