import { LoggerService } from '@nestjs/common';
import { LogIntegrityReport } from './log-integrity-report';

/** Nest token of the LogIntegrityMonitor (both modes). */
export const LOG_INTEGRITY = Symbol('LOG_INTEGRITY');

/**
 * Runs the start-up integrity check once and keeps its verdict for readiness and the
 * metrics: a log that lost events the read model still shows must never go unnoticed,
 * so the finding is logged as an error and holds /health/ready at 503
 * (`log_behind_read_model`) until the log is repaired and the service restarted. The
 * service still starts, so that health, metrics and the admin endpoints answer.
 */
export class LogIntegrityMonitor {
  private verdict: LogIntegrityReport | undefined;

  constructor(
    private readonly check: () => Promise<LogIntegrityReport>,
    private readonly logger: LoggerService,
  ) {}

  /** The last verdict; undefined when the check could not run. */
  get report(): LogIntegrityReport | undefined {
    return this.verdict;
  }

  async run(): Promise<LogIntegrityReport | undefined> {
    const startedAt = Date.now();
    try {
      this.verdict = await this.check();
    } catch (error) {
      // The stores being unreachable is readiness's to report (clickhouse_unreachable);
      // the check is not a reason to refuse to start.
      this.logger.warn({ err: error }, 'the start-up log integrity check could not run');
      return undefined;
    }
    const { ok, findings, missingEvents, remedy } = this.verdict;
    if (ok) {
      this.logger.log({ ms: Date.now() - startedAt }, 'event log integrity checked: the log holds everything the read model and the checkpoints have seen');
    } else {
      this.logger.error(
        { findings, missingEvents, remedy },
        `event log integrity: the log lacks events that the read model or a checkpoint has seen ` +
          `(${findings.map((finding) => finding.detail).join('; ')}); not ready until resolved: ${remedy}`,
      );
    }
    return this.verdict;
  }

  /** For readiness: one `log_behind_read_model` reason while the check found something. */
  reasons(): Array<{ code: 'log_behind_read_model'; detail: string }> {
    if (!this.verdict || this.verdict.ok) return [];
    return [{ code: 'log_behind_read_model', detail: `${this.verdict.findings.map((finding) => finding.detail).join('; ')}; ${this.verdict.remedy}` }];
  }
}
