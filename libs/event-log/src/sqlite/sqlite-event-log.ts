import { EventEnvelope } from '@waymark/domain';
import { GroupCommitWriter, SqliteConnection } from '@waymark/sqlite';
import { EventLog, EventLogConsumer } from '../event-log.port';
import { SqliteEventLogConsumer } from './sqlite-event-log-consumer';

/**
 * The embedded event log: one SQLite table, positions assigned by the rowid. Appends go
 * through the group-commit writer; `appendWithin` lets another store (session state)
 * add events to its own job so both land in the same transaction.
 */
export class SqliteEventLog implements EventLog {
  private readonly insert;

  constructor(
    private readonly db: SqliteConnection,
    private readonly writer: GroupCommitWriter,
  ) {
    this.insert = db.prepare(
      `INSERT INTO events (event_id, type, occurred_at, product, env, tag, identifier, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  append(events: readonly EventEnvelope[]): Promise<void> {
    return this.writer.run(() => this.appendWithin(events));
  }

  /** Inserts events inside the caller's running transaction. */
  appendWithin(events: readonly EventEnvelope[]): void {
    for (const event of events) {
      this.insert.run(
        event.id,
        event.type,
        Date.parse(event.occurredAt),
        event.product,
        event.env,
        event.tag,
        event.identifier,
        JSON.stringify(event),
      );
    }
  }

  openConsumer(group: string): EventLogConsumer {
    return new SqliteEventLogConsumer(this.db, this.writer, group);
  }
}
