import { ClickHouseClient } from '@clickhouse/client';
import { KafkaEventLog, LoggedRecord, ScannedRecord } from '@waymark/event-log';
import { EventsProjection } from '@waymark/projection';
import { LIVE_EVENTS_TABLE, SHADOW_EVENTS_TABLE, createShadowTable, populateDerivedShadows, swapShadowIn } from './shadow-tables';

export interface KafkaReplayProgress {
  phase: 'planning' | 'replaying' | 'swapping' | 'catching-up' | 'done';
  processed: number;
  planned: number;
  skipped: number;
}

export interface KafkaReplayOptions {
  /** Names the run in the insert dedup tokens. */
  runId: string;
  batchSize: number;
  onProgress?: (progress: KafkaReplayProgress) => void;
  /**
   * Stops the run while it fills the shadow tables (the live ones stay untouched). Once
   * the swap began it is not heeded: the catch-up after the swap is what makes the new
   * tables whole, so it always runs to its end.
   */
  signal?: AbortSignal;
}

export interface KafkaReplayResult {
  /** True when `signal` stopped the run before the swap: nothing live changed. */
  interrupted: boolean;
  /** Records read into the shadow tables, and then projected after the swap. */
  replayed: number;
  caughtUp: number;
  /** Records no projection could read (the live projectors dead-letter them). */
  skipped: number;
}

/**
 * Rebuilds the whole read model from the Kafka event topic while the projectors (other
 * processes) keep running, with no pause and no gap:
 *
 * 1. Read the topic from its oldest record up to the high watermarks *H* taken at the
 *    start into the shadow tables (the live tables stay as they are; queries see them).
 * 2. Fill the derived shadow tables from the shadow events and swap every table in
 *    (`EXCHANGE TABLES`, atomic per pair).
 * 3. Read the high watermarks again, *H2*, and project `[H, H2)` into the live (new)
 *    tables. Every event a projector wrote into the old tables before the swap lies
 *    below *H2*, so none is missing from the new ones; events from *H2* on are the
 *    projectors' as usual. An event both the catch-up and a projector wrote is one event
 *    id, which the events table and every reader count once (the derived tables are
 *    min/max or replacing by design, so re-inserts change nothing).
 *
 * An interrupted run leaves the live tables untouched; run it again from the start
 * (the shadow tables are recreated; no resume). Scope: the whole topic (no start
 * position, product or tag: the shadow tables would need the out-of-scope rows copied
 * by per-partition positions, which is not built).
 */
export async function replayFromKafka(log: KafkaEventLog, clickhouse: ClickHouseClient, options: KafkaReplayOptions): Promise<KafkaReplayResult> {
  const progress: KafkaReplayProgress = { phase: 'planning', processed: 0, planned: 0, skipped: 0 };
  const report = () => options.onProgress?.({ ...progress });

  await createShadowTable(clickhouse);
  const shadow = new BatchedProjection(new EventsProjection(clickhouse, SHADOW_EVENTS_TABLE), `kafka-replay:${options.runId}:shadow`, options.batchSize, (projected, skipped) => {
    progress.processed += projected + skipped;
    progress.skipped += skipped;
    report();
  });
  const first = await log.scan('events', {
    start: { kind: 'beginning' },
    follow: false,
    onPlan: ({ planned }) => {
      progress.phase = 'replaying';
      progress.planned = planned;
      report();
    },
    signal: options.signal,
    onRecords: (records) => shadow.add(records),
  });
  if (options.signal?.aborted) return { interrupted: true, replayed: progress.processed, caughtUp: 0, skipped: progress.skipped };
  await shadow.flush();

  progress.phase = 'swapping';
  report();
  await populateDerivedShadows(clickhouse);
  await swapShadowIn(clickhouse);

  progress.phase = 'catching-up';
  report();
  const live = new BatchedProjection(new EventsProjection(clickhouse, LIVE_EVENTS_TABLE), `kafka-replay:${options.runId}:catch-up`, options.batchSize, (projected, skipped) => {
    progress.skipped += skipped;
    progress.processed += projected + skipped;
    report();
  });
  const catchUp = await log.scan('events', {
    start: { kind: 'offsets', offsets: first.ends },
    follow: false,
    onPlan: ({ planned }) => {
      progress.planned += planned;
      report();
    },
    onRecords: (records) => live.add(records),
  });
  await live.flush();

  progress.phase = 'done';
  report();
  return { interrupted: false, replayed: first.records, caughtUp: catchUp.records, skipped: progress.skipped };
}

/** Collects scanned records into batches of `size` and projects each. */
class BatchedProjection {
  private pending: LoggedRecord[] = [];
  private batches = 0;

  constructor(
    private readonly projection: EventsProjection,
    private readonly tokenPrefix: string,
    private readonly size: number,
    private readonly onBatch: (projected: number, skipped: number) => void,
  ) {}

  async add(records: readonly ScannedRecord[]): Promise<void> {
    for (const record of records) this.pending.push({ position: record.position, raw: record.raw });
    while (this.pending.length >= this.size) await this.project(this.pending.splice(0, this.size));
  }

  async flush(): Promise<void> {
    if (this.pending.length > 0) await this.project(this.pending.splice(0));
  }

  private async project(records: LoggedRecord[]): Promise<void> {
    this.batches += 1;
    const result = await this.projection.project(records, `${this.tokenPrefix}:${this.batches}`);
    this.onBatch(result.projected, result.deadLetters.length);
  }
}
