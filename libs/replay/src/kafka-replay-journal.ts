import { ClickHouseClient } from '@clickhouse/client';
import { toClickHouseDateTime } from '@waymark/read-model';
import { ReplayRequest } from './replay-plan';
import { ReplayStatus } from './replay-engine';

/** Offsets per partition, as JSON keeps them (partition number as text → offset as text). */
export type PartitionOffsets = Record<string, string>;

/** What a replay from Kafka remembers between its steps, so that another run can resume it. */
export interface KafkaReplayRecord {
  id: string;
  createdAt: number;
  updatedAt: number;
  status: ReplayStatus;
  request: ReplayRequest;
  /**
   * `replaying`: filling the shadow tables; `swapping`: the shadows are marked as this
   * run's and being exchanged, `next` holds the catch-up's start; `catching-up`: the new
   * tables are live and what arrived since the shadow's snapshot is being projected into them.
   */
  phase: 'replaying' | 'swapping' | 'catching-up' | 'done';
  /** Counts every run of this replay (its first and each resume): part of the insert dedup tokens. */
  attempt: number;
  /** Next offset to read per partition in the current phase (everything below is written). */
  next: PartitionOffsets;
  /** Records scanned, and those projected of them (the rest out of scope or malformed). */
  processed: number;
  replayed: number;
  /** Records left out: envelopes no projection can read, and events ClickHouse refused. */
  skipped: number;
  /** Of `skipped`, events ClickHouse refused. Absent in records saved before it was counted. */
  refused?: number;
  /** Records the scans of the current phase planned to read, for progress and ETA. */
  planned: number;
  /** When the current run (first or resume) began, and `processed` then: its rate. */
  runStartedAt: number;
  processedAtRunStart: number;
  error: string | undefined;
}

/**
 * Replay runs from Kafka in the `replay_runs` table (migration 0010). Every save is a
 * new row with a higher revision; a read takes the newest (FINAL), so saves from
 * different processes need no coordination beyond one writer per run.
 */
export class KafkaReplayJournal {
  private revision = BigInt(Date.now()) * 1000n;

  constructor(private readonly clickhouse: ClickHouseClient) {}

  async save(record: KafkaReplayRecord): Promise<void> {
    this.nextRevision(record.updatedAt);
    await this.clickhouse.insert({
      table: 'replay_runs',
      values: [
        {
          id: record.id,
          revision: this.revision.toString(),
          status: record.status,
          created_at: toClickHouseDateTime(new Date(record.createdAt).toISOString()),
          record: JSON.stringify(record),
        },
      ],
      format: 'JSONEachRow',
    });
  }

  /** Strictly increasing within this process, and above any earlier process's (time-based). */
  private nextRevision(now: number): void {
    const byTime = BigInt(now) * 1000n;
    this.revision = byTime > this.revision ? byTime : this.revision + 1n;
  }

  async find(id: string): Promise<KafkaReplayRecord | undefined> {
    const [record] = await this.select('WHERE id = {id:String}', { id });
    return record;
  }

  /**
   * Asks the process running `id`, wherever it is, to stop after its batch in hand: a
   * row of its own (`cancel:<id>`), so the runner's saves never overwrite it.
   */
  async requestCancel(id: string, requested = true): Promise<void> {
    this.nextRevision(Date.now());
    await this.clickhouse.insert({
      table: 'replay_runs',
      values: [
        {
          id: `cancel:${id}`,
          revision: this.revision.toString(),
          status: requested ? 'cancel' : 'cleared',
          created_at: toClickHouseDateTime(new Date().toISOString()),
          record: '{}',
        },
      ],
      format: 'JSONEachRow',
    });
  }

  async cancelRequested(id: string): Promise<boolean> {
    const result = await this.clickhouse.query({
      query: 'SELECT status FROM replay_runs FINAL WHERE id = {id:String}',
      query_params: { id: `cancel:${id}` },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ status: string }>();
    return row?.status === 'cancel';
  }

  /** The newest run that did not end (running or interrupted), if any. */
  async unfinished(): Promise<KafkaReplayRecord | undefined> {
    const [record] = await this.select("WHERE status IN ('running', 'interrupted') ORDER BY created_at DESC LIMIT 1", {});
    return record;
  }

  /** The latest runs, newest first (not the cancel requests, which share the table). */
  async list(limit: number): Promise<KafkaReplayRecord[]> {
    return this.select("WHERE id NOT LIKE 'cancel:%' ORDER BY created_at DESC, id DESC LIMIT {limit:UInt32}", { limit: String(limit) });
  }

  private async select(where: string, params: Record<string, string>): Promise<KafkaReplayRecord[]> {
    const result = await this.clickhouse.query({ query: `SELECT record FROM replay_runs FINAL ${where}`, query_params: params, format: 'JSONEachRow' });
    return (await result.json<{ record: string }>()).map((row) => JSON.parse(row.record) as KafkaReplayRecord);
  }
}
