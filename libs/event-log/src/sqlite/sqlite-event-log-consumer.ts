import { GroupCommitWriter, SqliteConnection } from '@waymark/sqlite';
import { DeadLetter, EventBatch, EventLogConsumer, LoggedRecord } from '../event-log.port';
import { recordFingerprint } from '../record-fingerprint';

interface CheckpointRow {
  position: number;
  pending_to: number | null;
}

/**
 * Reads the embedded log from a stored checkpoint. Wakes on the writer's commit
 * signal rather than polling, so a fresh event reaches the projector within a tick.
 *
 * Before handing out a batch it durably records the batch's upper bound. After a
 * crash the consumer hands out exactly that batch again, so a projection that names
 * batches by their bounds (ClickHouse's insert_deduplication_token) recognises the
 * retry and drops it instead of writing the rows a second time.
 */
export class SqliteEventLogConsumer implements EventLogConsumer {
  private readonly selectRange;
  private readonly selectCheckpoint;
  private readonly upsertPending;
  private readonly upsertCommitted;
  private readonly insertDeadLetter;
  private position: number;
  private pendingTo: number | null;
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(
    db: SqliteConnection,
    private readonly writer: GroupCommitWriter,
    private readonly group: string,
  ) {
    this.selectRange = db.prepare('SELECT position, body FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?').raw();
    this.selectCheckpoint = db.prepare('SELECT position, pending_to FROM checkpoints WHERE consumer = ?');
    this.upsertPending = db.prepare(
      `INSERT INTO checkpoints (consumer, position, pending_to, updated_at) VALUES (?, 0, ?, ?)
       ON CONFLICT (consumer) DO UPDATE SET pending_to = excluded.pending_to, updated_at = excluded.updated_at`,
    );
    this.upsertCommitted = db.prepare(
      `INSERT INTO checkpoints (consumer, position, pending_to, updated_at) VALUES (?, ?, NULL, ?)
       ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, pending_to = NULL, updated_at = excluded.updated_at`,
    );
    this.insertDeadLetter = db.prepare('INSERT INTO dead_letters (consumer, position, reason, body, recorded_at) VALUES (?, ?, ?, ?, ?)');
    const checkpoint = this.selectCheckpoint.get(group) as CheckpointRow | undefined;
    this.position = checkpoint?.position ?? 0;
    this.pendingTo = checkpoint?.pending_to ?? null;
    writer.onCommit(() => this.wake?.());
  }

  async nextBatch(maxRecords: number, maxWaitMs: number): Promise<EventBatch> {
    if (this.pendingTo !== null && this.pendingTo > this.position) {
      return this.batchOf(this.read(this.pendingTo, Number.MAX_SAFE_INTEGER));
    }
    let rows = this.read(Number.MAX_SAFE_INTEGER, maxRecords);
    if (rows.length === 0 && maxWaitMs > 0 && !this.closed) {
      await this.waitForCommit(maxWaitMs);
      rows = this.read(Number.MAX_SAFE_INTEGER, maxRecords);
    }
    if (rows.length > 0) {
      const last = rows[rows.length - 1][0];
      await this.writer.run(() => this.upsertPending.run(this.group, last, Date.now()));
      this.pendingTo = last;
    }
    return this.batchOf(rows);
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

  private batchOf(rows: Array<[number, string]>): EventBatch {
    const records: LoggedRecord[] = rows.map(([position, body]) => ({ position: String(position), raw: body }));
    const last = rows.length > 0 ? rows[rows.length - 1][0] : this.position;
    return {
      records,
      // One contiguous range of the single log: its bounds name it (the token text the
      // projector has always written for this log, so existing dedup windows still match).
      // Positions, and a fingerprint of the first record: after a lost tail the log may reuse positions (see recordFingerprint).
      dedupKey: records.length > 0 ? `${records[0].position}-${records[records.length - 1].position}~${recordFingerprint(records[0].raw)}` : '',
      commit: async () => {
        if (last <= this.position) return;
        await this.writer.run(() => this.upsertCommitted.run(this.group, last, Date.now()));
        this.position = last;
        this.pendingTo = null;
      },
    };
  }

  private read(upTo: number, maxRecords: number): Array<[number, string]> {
    return this.selectRange.all(this.position, upTo, maxRecords) as Array<[number, string]>;
  }

  private waitForCommit(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      this.wake = done;
    });
  }
}
