import { ClickHouseClient } from '@clickhouse/client';
import { Logger, Provider } from '@nestjs/common';
import { Clock, IdGenerator } from '@waymark/domain';
import { EVENT_LOG, KafkaEventLog, SqliteEventLog } from '@waymark/event-log';
import { PersonalDataCodec } from '@waymark/privacy';
import { ProjectorRunner, READ_MODEL_GROUP } from '@waymark/projection';
import { CLICKHOUSE } from '@waymark/read-model';
import { EmbeddedReplayEngine, KafkaReplayEngine, REPLAY_ENGINE, ReplayEngine, ReplayJournal } from '@waymark/replay';
import { SqliteConnection } from '@waymark/sqlite';
import { EMBEDDED_DATABASE } from '@waymark/storage';
import { API_CONFIG } from '../config/api-config.provider';
import { ApiConfig } from '../config/api.config';
import { CLOCK, ID_GENERATOR } from '../shared/domain.providers';

/**
 * The mode's codec (StorageModule provides it): a replay decodes the stored events and
 * skips erased users', so no replay brings them back. Optional only for test modules
 * built without it.
 */
const OPTIONAL_CODEC = { token: PersonalDataCodec, optional: true };

/**
 * Embedded mode: replays run in this process and hand over from its own live projector
 * (paused for the swap). Replay reads the log by position, which the embedded log offers.
 */
export const embeddedReplayEngine: Provider<ReplayEngine> = {
  provide: REPLAY_ENGINE,
  inject: [SqliteEventLog, CLICKHOUSE, EMBEDDED_DATABASE, ProjectorRunner, CLOCK, ID_GENERATOR, API_CONFIG, OPTIONAL_CODEC],
  useFactory: (
    eventLog: SqliteEventLog,
    clickhouse: ClickHouseClient,
    db: SqliteConnection,
    projector: ProjectorRunner,
    clock: Clock,
    newId: IdGenerator,
    config: ApiConfig,
    codec: PersonalDataCodec | undefined,
  ): ReplayEngine =>
    new EmbeddedReplayEngine(
      eventLog,
      clickhouse,
      new ReplayJournal(db),
      new Logger('replay'),
      { batchSize: config.projectorBatchSize, newId, now: clock, codec },
      {
        pause: () => projector.projector.pause(),
        resume: () => projector.projector.resume(),
        committedPosition: async () => (await eventLog.describeLag(READ_MODEL_GROUP)).partitions[0]?.committed ?? '0',
      },
    ),
};

/** Distributed mode: a replay started here reads the Kafka topic in this API process while the projector processes keep running. */
export const kafkaReplayEngine: Provider<ReplayEngine> = {
  provide: REPLAY_ENGINE,
  inject: [EVENT_LOG, CLICKHOUSE, CLOCK, ID_GENERATOR, API_CONFIG, OPTIONAL_CODEC],
  useFactory: (
    log: KafkaEventLog,
    clickhouse: ClickHouseClient,
    clock: Clock,
    newId: IdGenerator,
    config: ApiConfig,
    codec: PersonalDataCodec | undefined,
  ): ReplayEngine =>
    new KafkaReplayEngine(log, clickhouse, new Logger('replay'), {
      batchSize: config.projectorBatchSize,
      newId,
      now: clock,
      projectorGroup: READ_MODEL_GROUP,
      codec,
    }),
};
