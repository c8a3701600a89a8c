import { GroupCommitWriter, SqliteConnection } from '@waymark/sqlite';
import { DeadLetter, EventBatch, EventLogConsumer, LoggedRecord } from '../event-log.port';

/**
 * Reads the embedded log from a stored checkpoint. Wakes on the writer's commit
 * signal rather than polling, so a fresh event reaches the projector within a tick.
 */
export class SqliteEventLogConsumer implements EventLogConsumer {
  private readonly selectAfter;
  private readonly selectCheckpoint;
  private readonly upsertCheckpoint;
  private readonly insertDeadLetter;
  private position: number;
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(
    db: SqliteConnection,
    private readonly writer: GroupCommitWriter,
    private readonly group: string,
  ) {
    this.selectAfter = db.prepare('SELECT position, body FROM events WHERE position > ? ORDER BY position LIMIT ?').raw();
    this.selectCheckpoint = db.prepare('SELECT position FROM checkpoints WHERE consumer = ?').pluck();
    this.upsertCheckpoint = db.prepare(
      `INSERT INTO checkpoints (consumer, position, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    );
    this.insertDeadLetter = db.prepare(
      'INSERT INTO dead_letters (consumer, position, reason, body, recorded_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.position = (this.selectCheckpoint.get(group) as number | undefined) ?? 0;
    writer.onCommit(() => this.wake?.());
  }

  async nextBatch(maxRecords: number, maxWaitMs: number): Promise<EventBatch> {
    let rows = this.read(maxRecords);
    if (rows.length === 0 && maxWaitMs > 0 && !this.closed) {
      await this.waitForCommit(maxWaitMs);
      rows = this.read(maxRecords);
    }
    const records: LoggedRecord[] = rows.map(([position, body]) => ({ position: String(position), raw: body }));
    const last = rows.length > 0 ? rows[rows.length - 1][0] : this.position;
    return {
      records,
      commit: async () => {
        if (last <= this.position) return;
        await this.writer.run(() => this.upsertCheckpoint.run(this.group, last, Date.now()));
        this.position = last;
      },
    };
  }

  async deadLetter(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const now = Date.now();
    await this.writer.run(() => {
      for (const { record, reason } of letters) {
        this.insertDeadLetter.run(this.group, Number(record.position), reason, record.raw, now);
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
  }

  private read(maxRecords: number): Array<[number, string]> {
    return this.selectAfter.all(this.position, maxRecords) as Array<[number, string]>;
  }

  private waitForCommit(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, maxWaitMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}
