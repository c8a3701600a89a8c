import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Clock, IdGenerator } from '@waymark/domain';
import { EVENT_LOG, KafkaEventLog } from '@waymark/event-log';
import { READ_MODEL_GROUP } from '@waymark/projection';
import { CLICKHOUSE } from '@waymark/read-model';
import { KafkaReplay, KafkaReplayJournal, KafkaReplayRecord, ReplayProgress, ReplayRequest, kafkaReplayProgress } from '@waymark/replay';
import { API_CONFIG } from '../config/api-config.provider';
import { ApiConfig } from '../config/api.config';
import { CLOCK, ID_GENERATOR } from '../shared/domain.providers';
import { ReplayOperations } from './replay-operations';

/**
 * Distributed mode: a replay started here reads the Kafka topic in this API process
 * while the projector processes keep running (KafkaReplay). Its state is in ClickHouse
 * (`replay_runs`), so any instance answers its progress, and a cancel asked of any
 * instance reaches the one running it (checked after every batch).
 */
@Injectable()
export class KafkaReplayOperations implements ReplayOperations, OnApplicationShutdown {
  private readonly replay: KafkaReplay;
  private readonly running = new Set<Promise<KafkaReplayRecord>>();
  private readonly stopping = new AbortController();

  constructor(
    @Inject(EVENT_LOG) log: KafkaEventLog,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) newId: IdGenerator,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.replay = new KafkaReplay(log, clickhouse, new KafkaReplayJournal(clickhouse), new Logger('replay'), {
      batchSize: config.projectorBatchSize,
      newId,
      now: clock,
      projectorGroup: READ_MODEL_GROUP,
      // A shutting-down instance interrupts its run (resumable) rather than leaving it `running`.
      signal: this.stopping.signal,
    });
  }

  async plan(request: ReplayRequest) {
    const { description, ...plan } = await this.replay.plan(request);
    return { plan, description };
  }

  async start(request: ReplayRequest) {
    const { description, ...plan } = await this.replay.plan(request);
    const { record, finished } = await this.replay.launch(request);
    this.track(finished);
    return { id: record.id, plan, description, progress: this.view(record) };
  }

  async progress(id: string): Promise<ReplayProgress | undefined> {
    const record = await this.replay.find(id);
    return record && this.view(record);
  }

  cancel(id: string): Promise<boolean> {
    return this.replay.cancel(id);
  }

  async resume(id: string): Promise<ReplayProgress | undefined> {
    const { record, finished } = await this.replay.launchResume(id);
    this.track(finished);
    return this.view(record);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.running);
  }

  private track(finished: Promise<KafkaReplayRecord>): void {
    this.running.add(finished);
    void finished.finally(() => this.running.delete(finished));
  }

  private view(record: KafkaReplayRecord): ReplayProgress {
    const { replayed: _replayed, ...progress } = kafkaReplayProgress(record, this.clock());
    return progress;
  }
}
