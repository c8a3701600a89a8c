import { ClickHouseClient } from '@clickhouse/client';
import { LoggerService } from '@nestjs/common';
import { KafkaEventLog } from '@waymark/event-log';
import { KafkaReplay, KafkaReplayOptions, kafkaReplayRun } from './kafka-replay';
import { KafkaReplayJournal, KafkaReplayRecord } from './kafka-replay-journal';
import { parseKafkaPositions } from './kafka-replay-scope';
import { PlannedReplay, ProgressListeners, ReplayEngine, ReplayRequestError, ReplayRun, StartedReplay } from './replay-engine';
import { ReplayRequest } from './replay-plan';

/**
 * The replay port over the Kafka topic and the ClickHouse server, beside the projector
 * processes (which keep running). Its journal is `replay_runs` in ClickHouse, so any
 * process answers a run's status, a cancel asked of any process reaches the one running
 * it (checked after every batch), and a resume may run anywhere. A run whose process went
 * silent reads as interrupted.
 */
export class KafkaReplayEngine implements ReplayEngine {
  readonly kind = 'kafka';
  private readonly replay: KafkaReplay;
  private readonly listeners = new ProgressListeners();
  /** The attempts this process drives, by run id. */
  private readonly running = new Map<string, Promise<KafkaReplayRecord>>();
  private readonly stopping = new AbortController();

  constructor(
    log: KafkaEventLog,
    clickhouse: ClickHouseClient,
    logger: LoggerService,
    options: Omit<KafkaReplayOptions, 'onProgress' | 'signal'>,
    private readonly journal = new KafkaReplayJournal(clickhouse),
  ) {
    this.replay = new KafkaReplay(log, clickhouse, journal, logger, {
      ...options,
      onProgress: (_progress, record) => this.listeners.emit(kafkaReplayRun(record)),
      // Shutting down interrupts the runs of this process (resumable) rather than leaving them `running`.
      signal: this.stopping.signal,
    });
  }

  async plan(request: ReplayRequest): Promise<PlannedReplay> {
    checkPositions(request);
    const { description, ...plan } = await this.replay.plan(request);
    checkPartitionsExist(request, plan.headPosition);
    return { plan, description };
  }

  async start(request: ReplayRequest): Promise<StartedReplay> {
    // The plan is read before the run starts: the scan's own plan is its first state.
    const { plan, description } = await this.plan(request);
    const { record, finished } = await this.replay.launch(request);
    this.track(record.id, finished);
    return { plan, description, run: kafkaReplayRun(record) };
  }

  async resume(id: string): Promise<ReplayRun> {
    const { record, finished } = await this.replay.launchResume(id);
    this.track(id, finished);
    return kafkaReplayRun(record);
  }

  cancel(id: string): Promise<boolean> {
    return this.replay.cancel(id);
  }

  async status(id: string): Promise<ReplayRun | undefined> {
    const record = await this.replay.find(id);
    return record && kafkaReplayRun(record);
  }

  async list(limit = 20): Promise<ReplayRun[]> {
    return (await this.replay.list(limit)).map(kafkaReplayRun);
  }

  async wait(id: string): Promise<ReplayRun | undefined> {
    await this.running.get(id);
    return this.status(id);
  }

  onProgress(listener: (run: ReplayRun) => void): () => void {
    return this.listeners.add(listener);
  }

  async shutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.running.values());
  }

  private track(id: string, finished: Promise<KafkaReplayRecord>): void {
    this.running.set(id, finished);
    void finished.finally(() => {
      if (this.running.get(id) === finished) this.running.delete(id);
    });
  }
}

/** A start by position names partitions and offsets; anything else is refused before the log is read. */
function checkPositions(request: ReplayRequest): void {
  if (request.start.kind !== 'position') return;
  try {
    parseKafkaPositions(request.start.position);
  } catch (error) {
    throw new ReplayRequestError((error as Error).message);
  }
}

/**
 * A start by position may name only partitions the topic has (the head lists them all):
 * a replay from a partition that is not there would quietly read the others whole.
 */
function checkPartitionsExist(request: ReplayRequest, headPosition: string | undefined): void {
  if (request.start.kind !== 'position') return;
  const existing = new Set((headPosition ?? '').split(',').map((pair) => Number(pair.split(':')[0])));
  const missing = [...parseKafkaPositions(request.start.position).keys()].filter((partition) => !existing.has(partition));
  if (missing.length > 0) {
    throw new ReplayRequestError(
      `the topic has no partition ${missing.join(', ')} (it has ${existing.size === 0 ? 'none' : [...existing].sort((a, b) => a - b).join(', ')})`,
    );
  }
}
