import { EventEnvelope } from '@waymark/domain';
import { GroupCommitWriter, SqliteConnection } from '@waymark/sqlite';
import { EventLogConsumer, EventLogReader, LagReport, ReadFilter, ReadableEventLog } from '../event-log.port';
import { SqliteEventLogReader } from './sqlite-event-log-reader';
import { SqliteEventLogConsumer } from './sqlite-event-log-consumer';

/**
 * The embedded event log: one SQLite table, positions assigned by the rowid. Appends go
 * through the group-commit writer; `appendWithin` lets another store (session state)
 * add events to its own job so both land in the same transaction.
 */
export class SqliteEventLog implements ReadableEventLog {
  private readonly insert;
  private readonly selectHead;
  private readonly selectCheckpoint;

  constructor(
    private readonly db: SqliteConnection,
    private readonly writer: GroupCommitWriter,
  ) {
    this.insert = db.prepare(
      `INSERT INTO events (event_id, type, occurred_at, product, env, tag, identifier, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectHead = db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck();
    this.selectCheckpoint = db.prepare('SELECT position FROM checkpoints WHERE consumer = ?').pluck();
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

  /** The embedded log is one partition, `0`; positions are the rowids. */
  async describeLag(group: string): Promise<LagReport> {
    const head = this.selectHead.get() as number;
    const committed = (this.selectCheckpoint.get(group) as number | undefined) ?? 0;
    const lag = Math.max(0, head - committed);
    return { group, partitions: [{ partition: '0', committed: String(committed), head: String(head), lag }], total: lag };
  }

  openReader(filter?: ReadFilter): EventLogReader {
    return new SqliteEventLogReader(this.db, filter);
  }

  openConsumer(group: string): EventLogConsumer {
    return new SqliteEventLogConsumer(this.db, this.writer, group);
  }
}
