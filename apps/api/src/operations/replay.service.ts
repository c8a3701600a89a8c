import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock, IdGenerator } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { ProjectorRunner, READ_MODEL_GROUP } from '@waymark/projection';
import { CLICKHOUSE } from '@waymark/read-model';
import { ReplayJournal, ReplayRunner } from '@waymark/replay';
import { SqliteConnection } from '@waymark/sqlite';
import { EMBEDDED_DATABASE } from '@waymark/storage';
import { API_CONFIG } from '../config/api-config.provider';
import { ApiConfig } from '../config/api.config';
import { CLOCK, ID_GENERATOR } from '../shared/domain.providers';

/** The replay runner of the running service, handing over to its own live projector. */
@Injectable()
export class ReplayService extends ReplayRunner implements OnApplicationBootstrap {
  constructor(
    // Replay reads the log by position, which the embedded log offers (see ReadableEventLog).
    eventLog: SqliteEventLog,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
    @Inject(EMBEDDED_DATABASE) db: SqliteConnection,
    projector: ProjectorRunner,
    @Inject(CLOCK) clock: Clock,
    @Inject(ID_GENERATOR) newId: IdGenerator,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    super(
      eventLog,
      clickhouse,
      new ReplayJournal(db),
      new Logger('replay'),
      { batchSize: config.projectorBatchSize, newId, now: clock },
      {
        pause: () => projector.projector.pause(),
        resume: () => projector.projector.resume(),
        committedPosition: async () => (await eventLog.describeLag(READ_MODEL_GROUP)).partitions[0]?.committed ?? '0',
      },
    );
  }

  onApplicationBootstrap(): void {
    this.markStaleRunsInterrupted();
  }
}
