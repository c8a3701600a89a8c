import { EventEnvelope } from '@waymark/domain';
import { GroupCommitWriter, SqliteConnection } from '@waymark/sqlite';

/** An event put back into the log at a position chosen by the repair. */
export interface PlacedEvent {
  position: number;
  event: EventEnvelope;
}

/**
 * Puts events back into the embedded log at given positions (`waymark log repair`).
 * Appends let SQLite pick the next rowid; a repair must choose, so that the positions
 * the read model and the ClickHouse insert deduplication window already know are either
 * given back to the same events or never handed out again (see embedded-log-repair.ts).
 * Same row as SqliteEventLog.appendWithin writes, body included.
 */
export class SqliteLogRestorer {
  private readonly insert;

  constructor(
    db: SqliteConnection,
    private readonly writer: GroupCommitWriter,
  ) {
    this.insert = db.prepare(
      `INSERT INTO events (position, event_id, type, occurred_at, product, env, tag, identifier, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** One transaction for the whole slice: durable when it resolves. */
  restore(placed: readonly PlacedEvent[]): Promise<void> {
    return this.writer.run(() => {
      for (const { position, event } of placed) {
        this.insert.run(
          position,
          event.id,
          event.type,
          Date.parse(event.occurredAt),
          event.product,
          event.env,
          event.tag,
          // The stored form names its user by subject, as SqliteEventLog writes it.
          event.subject ?? event.identifier,
          JSON.stringify(event),
        );
      }
    });
  }
}
