import { LoggerService } from '@nestjs/common';
import { ProductRetention, RetentionCutoff, retentionCutoffs } from '@waymark/config';
import { Clock } from '@waymark/domain';
import { LogPruneResult, SqliteLogPruner, describeHold } from '@waymark/event-log';
import { ReadModelPruneResult, ReadModelRetention } from './read-model-retention';

/** What one retention pass did, for logs, /metrics and /health/ready. */
export interface RetentionPass {
  startedAt: number;
  finishedAt: number;
  cutoffs: RetentionCutoff[];
  readModel: ReadModelPruneResult | undefined;
  /** Embedded mode only (distributed: Kafka's retention.ms, docs/deployment.md). */
  log: LogPruneResult | undefined;
  error: string | undefined;
}

/**
 * One retention pass: the cutoffs in force at the clock's now, the read model pruned,
 * then the embedded log. The log's bound (behind every checkpoint, no replay running) is
 * read before the read model is pruned, so every event the log loses was in the read
 * model when that was pruned by the same cutoffs: the log never holds less than the read
 * model, which the start-up integrity check would report as a lost log. A failed read-model
 * step leaves the log as it is for the same reason.
 */
export class RetentionJob {
  private lastPass: RetentionPass | undefined;
  private running: Promise<RetentionPass> | undefined;

  constructor(
    private readonly policies: readonly ProductRetention[],
    private readonly readModel: ReadModelRetention,
    private readonly log: SqliteLogPruner | undefined,
    private readonly clock: Clock,
    private readonly logger: LoggerService,
  ) {}

  get last(): RetentionPass | undefined {
    return this.lastPass;
  }

  /** Runs a pass, or joins the one running (the timer and a test may ask at once). */
  run(): Promise<RetentionPass> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves once no pass runs (shutdown waits for it before the stores close). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<RetentionPass> {
    const startedAt = this.clock();
    const cutoffs = retentionCutoffs(this.policies, startedAt);
    let readModel: ReadModelPruneResult | undefined;
    let log: LogPruneResult | undefined;
    let error: string | undefined;
    try {
      const bound = this.log?.readBound();
      readModel = await this.readModel.prune(cutoffs);
      log = this.log ? await this.log.prune(cutoffs, bound) : undefined;
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
      this.logger.error({ err: failure }, 'retention pass failed; the next pass retries');
    }
    const pass: RetentionPass = { startedAt, finishedAt: this.clock(), cutoffs, readModel, log, error };
    this.lastPass = pass;
    this.report(pass);
    return pass;
  }

  private report(pass: RetentionPass): void {
    const readModel = pass.readModel?.removed.events ?? 0;
    const log = pass.log?.removed ?? 0;
    if (readModel > 0 || log > 0) {
      this.logger.log({ readModel: pass.readModel?.removed, eventLog: log, longestBatchMs: pass.log?.longestBatchMs }, 'retention pruned events');
    }
    if (pass.log?.heldBy)
      this.logger.warn({ heldBy: pass.log.heldBy }, `retention: events past retention kept in the event log: ${describeHold(pass.log.heldBy)}`);
  }
}
