import { ClickHouseClient } from '@clickhouse/client';
import { DynamicModule, Logger, Module } from '@nestjs/common';
import { ProductRetention } from '@waymark/config';
import { Clock } from '@waymark/domain';
import { SqliteLogPruner } from '@waymark/event-log';
import { WaymarkMetrics, registerRetentionMetrics } from '@waymark/metrics';
import { CLICKHOUSE } from '@waymark/read-model';
import { GroupCommitWriter, SqliteConnection } from '@waymark/sqlite';
import { EMBEDDED_DATABASE } from '@waymark/storage';
import { MetricsModule } from '../observability/metrics.module';
import { CLOCK } from '../shared/domain.providers';
import { ReadModelRetention } from './read-model-retention';
import { RetentionJob } from './retention-job';
import { RetentionScheduler } from './retention-scheduler';
import { RetentionSettings } from './retention-settings';
import { retentionSnapshot } from './retention-snapshot';

/** Set by the scheduler at shutdown, read by the log pruner between batches. */
const STOP_FLAG = Symbol('RETENTION_STOP_FLAG');

export interface RetentionModuleOptions {
  policies: readonly ProductRetention[];
  settings: RetentionSettings;
  /** Embedded mode: the event log is this process's SQLite file, pruned here too. */
  embedded: boolean;
  /**
   * How much older than its append an event can be (ACTIVITY_MAX_AGE_MS +
   * ACTIVITY_MAX_FUTURE_MS): where the log pruner's walk may stop.
   */
  lateMs: number;
}

/**
 * Retention (docs/retention.md): a pass every RETENTION_INTERVAL_SECONDS prunes events
 * past their product's retention from the read model and, in embedded mode, from the
 * event log; /metrics and /health/ready show what the last pass kept and removed.
 */
@Module({})
export class RetentionModule {
  static forRoot(options: RetentionModuleOptions): DynamicModule {
    const pruner = options.embedded
      ? [
          {
            provide: SqliteLogPruner,
            useFactory: (db: SqliteConnection, writer: GroupCommitWriter, scheduler: { stopping: boolean }) =>
              new SqliteLogPruner(db, writer, { batchRows: options.settings.batchRows, lateMs: options.lateMs, shouldStop: () => scheduler.stopping }),
            inject: [EMBEDDED_DATABASE, GroupCommitWriter, STOP_FLAG],
          },
        ]
      : [];
    return {
      module: RetentionModule,
      imports: [MetricsModule],
      providers: [
        { provide: STOP_FLAG, useValue: { stopping: false } },
        { provide: ReadModelRetention, useFactory: (clickhouse: ClickHouseClient) => new ReadModelRetention(clickhouse), inject: [CLICKHOUSE] },
        ...pruner,
        {
          provide: RetentionJob,
          useFactory: (readModel: ReadModelRetention, clock: Clock, metrics: WaymarkMetrics, log?: SqliteLogPruner) => {
            const job = new RetentionJob(options.policies, readModel, log, clock, new Logger('retention'));
            registerRetentionMetrics(metrics, () => retentionSnapshot(job.last));
            return job;
          },
          inject: [ReadModelRetention, CLOCK, WaymarkMetrics, { token: SqliteLogPruner, optional: true }],
        },
        {
          provide: RetentionScheduler,
          useFactory: (job: RetentionJob, flag: { stopping: boolean }) => new RetentionScheduler(job, options.settings.intervalMs, flag),
          inject: [RetentionJob, STOP_FLAG],
        },
      ],
      exports: [RetentionJob],
    };
  }
}
