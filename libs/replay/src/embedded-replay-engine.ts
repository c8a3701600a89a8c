import { ClickHouseClient } from '@clickhouse/client';
import { LoggerService } from '@nestjs/common';
import { ReadableEventLog } from '@waymark/event-log';
import { PlannedReplay, ProgressListeners, ReplayEngine, ReplayRequestError, ReplayRun, StartedReplay } from './replay-engine';
import { ReplayJournal } from './replay-journal';
import { ReplayRequest, describePlan } from './replay-plan';
import { LiveProjection, ReplayRunner, ReplayRunnerOptions } from './replay-runner';

/**
 * The replay port over the embedded log (SQLite) and chDB: runs in this process, and
 * hands over from the live projector when there is one (the service's; none when the
 * CLI replays a stopped service's data). Its journal is `replay_runs` in the SQLite
 * store. Runs left `running` by a process that died are marked interrupted when the
 * engine is made.
 */
export class EmbeddedReplayEngine implements ReplayEngine {
  readonly kind = 'embedded';
  private readonly runner: ReplayRunner;
  private readonly listeners = new ProgressListeners();

  constructor(
    eventLog: ReadableEventLog,
    clickhouse: ClickHouseClient,
    journal: ReplayJournal,
    logger: LoggerService,
    options: Omit<ReplayRunnerOptions, 'onProgress'>,
    live?: LiveProjection,
  ) {
    this.runner = new ReplayRunner(eventLog, clickhouse, journal, logger, { ...options, onProgress: (run) => this.listeners.emit(run) }, live);
    this.runner.markStaleRunsInterrupted();
  }

  async plan(request: ReplayRequest): Promise<PlannedReplay> {
    checkPosition(request);
    const plan = await this.runner.plan(request);
    return { plan, description: describePlan(plan) };
  }

  async start(request: ReplayRequest): Promise<StartedReplay> {
    checkPosition(request);
    const record = await this.runner.start(request);
    return { plan: record.plan, description: describePlan(record.plan), run: this.runOf(record.id) };
  }

  async resume(id: string): Promise<ReplayRun> {
    await this.runner.resume(id);
    return this.runOf(id);
  }

  async cancel(id: string): Promise<boolean> {
    return this.runner.cancel(id);
  }

  async status(id: string): Promise<ReplayRun | undefined> {
    return this.runner.run(id);
  }

  async list(limit = 20): Promise<ReplayRun[]> {
    return this.runner.list(limit);
  }

  async wait(id: string): Promise<ReplayRun | undefined> {
    await this.runner.wait(id);
    return this.runner.run(id);
  }

  onProgress(listener: (run: ReplayRun) => void): () => void {
    return this.listeners.add(listener);
  }

  async shutdown(): Promise<void> {
    await this.runner.stopAll();
  }

  private runOf(id: string): ReplayRun {
    const run = this.runner.run(id);
    if (!run) throw new Error(`no replay ${id}`);
    return run;
  }
}

/** The embedded log numbers its records from 1: any other position is refused before the log is read. */
function checkPosition(request: ReplayRequest): void {
  if (request.start.kind !== 'position') return;
  const position = Number(request.start.position);
  if (!/^\d+$/.test(request.start.position) || !Number.isSafeInteger(position) || position < 1) {
    throw new ReplayRequestError(`not a position of the embedded log: ${request.start.position} (positions are whole numbers from 1)`);
  }
}
