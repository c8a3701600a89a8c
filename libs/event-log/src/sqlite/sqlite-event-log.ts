import { EventEnvelope } from '@waymark/domain';
import { PersonalDataCodec } from '@waymark/privacy';
import { GroupCommitWriter, SqliteConnection } from '@waymark/sqlite';
import { EventLogConsumer, EventLogReader, LagReport, ReadFilter, ReadableEventLog } from '../event-log.port';
import { SqliteEventLogReader } from './sqlite-event-log-reader';
import { SqliteEventLogConsumer } from './sqlite-event-log-consumer';

let lastOccurredAt = '';
let lastOccurredAtMs = Number.NaN;

/** `Date.parse` of an event's instant; the events of one batch mostly share one, so the last is kept. */
function occurredAtMs(occurredAt: string): number {
  if (occurredAt !== lastOccurredAt) {
    lastOccurredAtMs = Date.parse(occurredAt);
    lastOccurredAt = occurredAt;
  }
  return lastOccurredAtMs;
}

/** One event's columns, in the INSERT's order, into `values` from `at`. */
function writeRow(event: EventEnvelope, values: unknown[], at: number): void {
  values[at] = event.id;
  values[at + 1] = event.type;
  values[at + 2] = occurredAtMs(event.occurredAt);
  values[at + 3] = event.product;
  values[at + 4] = event.env;
  values[at + 5] = event.tag;
  // The stored form names its user by subject (the column keeps its old name: it is what
  // a reader filters one user's events on).
  values[at + 6] = event.subject ?? event.identifier;
  values[at + 7] = JSON.stringify(event);
}

/**
 * The embedded event log: one SQLite table, positions assigned by the rowid. Appends go
 * through the group-commit writer; `appendWithin` lets another store (session state)
 * add events to its own job so both land in the same transaction.
 */
/** Rows per multi-row INSERT: one statement step for many events (8 values each, far below SQLite's 32,766). */
const ROWS_PER_INSERT = 50;
const ROW_PLACEHOLDERS = '(?, ?, ?, ?, ?, ?, ?, ?)';

export class SqliteEventLog implements ReadableEventLog {
  private readonly insert;
  private readonly insertMany;
  private readonly selectHead;
  private readonly selectCheckpoint;

  constructor(
    private readonly db: SqliteConnection,
    private readonly writer: GroupCommitWriter,
    /**
     * Stores events under their users' subjects with data sealed by the users' keys
     * (crypto-shredding, docs/privacy.md). The service always passes one; without it
     * events are stored as made (tests of the log alone, tools that copy stored records).
     */
    private readonly codec?: PersonalDataCodec,
  ) {
    const insertInto = 'INSERT INTO events (event_id, type, occurred_at, product, env, tag, identifier, body) VALUES ';
    this.insert = db.prepare(insertInto + ROW_PLACEHOLDERS);
    this.insertMany = db.prepare(insertInto + Array.from({ length: ROWS_PER_INSERT }, () => ROW_PLACEHOLDERS).join(', '));
    this.selectHead = db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck();
    this.selectCheckpoint = db.prepare('SELECT position FROM checkpoints WHERE consumer = ?').pluck();
  }

  async append(events: readonly EventEnvelope[]): Promise<void> {
    await this.prepareAppend(events);
    return this.writer.run(() => this.appendWithin(events));
  }

  /**
   * Makes sure every user of these events has a key, durable in the key store before
   * the events that need it are: await it before a job that calls `appendWithin`.
   */
  prepareAppend(events: readonly EventEnvelope[]): Promise<void> {
    return this.codec ? this.codec.prepareEncode(events) : Promise.resolve();
  }

  /**
   * Inserts events inside the caller's running transaction, in order (the rows of one
   * multi-row INSERT take ascending rowids). An activity batch of 500 events made 500
   * statement runs; full chunks of ROWS_PER_INSERT now go in one run each.
   */
  appendWithin(made: readonly EventEnvelope[]): void {
    const codec = this.codec;
    const events = codec ? made.map((event) => codec.encode(event)) : made;
    let index = 0;
    if (events.length >= ROWS_PER_INSERT) {
      const values: unknown[] = new Array(ROWS_PER_INSERT * 8);
      for (; index + ROWS_PER_INSERT <= events.length; index += ROWS_PER_INSERT) {
        for (let row = 0; row < ROWS_PER_INSERT; row += 1) writeRow(events[index + row], values, row * 8);
        this.insertMany.run(values);
      }
    }
    const single: unknown[] = new Array(8);
    for (; index < events.length; index += 1) {
      writeRow(events[index], single, 0);
      this.insert.run(single);
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
