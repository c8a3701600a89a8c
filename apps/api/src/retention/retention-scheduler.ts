import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RetentionJob } from './retention-job';

/** The first pass waits this long after start-up (or the interval, if shorter), so it never slows start-up. */
const FIRST_PASS_DELAY_MS = 60_000;

/**
 * Runs the retention job every `intervalMs` (none when 0). Timers are unref'd; shutdown
 * stops the timer and waits for a running pass before the stores close.
 */
export class RetentionScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('retention');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly job: RetentionJob,
    private readonly intervalMs: number,
    /** Shared with the log pruner, which stops between batches once it is set. */
    private readonly flag: { stopping: boolean } = { stopping: false },
  ) {}

  onApplicationBootstrap(): void {
    if (this.intervalMs === 0) {
      this.logger.log('retention passes are off in this process (RETENTION_INTERVAL_SECONDS=0)');
      return;
    }
    this.schedule(Math.min(FIRST_PASS_DELAY_MS, this.intervalMs));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.flag.stopping = true;
    clearTimeout(this.timer);
    await this.job.idle();
  }

  private schedule(delayMs: number): void {
    if (this.flag.stopping) return;
    this.timer = setTimeout(() => {
      // The job records and logs its own failures; the next pass comes regardless.
      void this.job.run().finally(() => this.schedule(this.intervalMs));
    }, delayMs);
    this.timer.unref();
  }
}
