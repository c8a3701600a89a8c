import { eventsMigration } from './0001-events.migration';
import { eventColumnsMigration } from './0002-event-columns.migration';
import { sessionsMigration } from './0003-sessions.migration';
import { eventsByTimeMigration } from './0004-events-by-time.migration';
import { journeyColumnsMigration } from './0005-journey-columns.migration';
import { journeyEventsMigration } from './0006-journey-events.migration';
import { userDaysMigration } from './0007-user-days.migration';
import { eventKindMigration } from './0008-event-kind.migration';
import { activityByUserMigration } from './0009-activity-by-user.migration';
import { replayRunsMigration } from './0010-replay-runs.migration';
import { eventsByQuarterMigration } from './0011-events-by-quarter.migration';
import { blockColumnsMigration } from './0012-block-columns.migration';
import { ReadModelMigration } from './read-model-migration';

/**
 * Every migration, in order. Append new ones; never edit one that has shipped: each
 * holds its own SQL as shipped and exports nothing but itself. What runtime code reads
 * (table names, columns, the derived tables' SELECTs, EVENT_KINDS) is in ../schema,
 * kept equal to what these produce by schema/schema.spec.ts (docs/read-model-schema.md).
 */
export const READ_MODEL_MIGRATIONS: readonly ReadModelMigration[] = [
  eventsMigration,
  eventColumnsMigration,
  sessionsMigration,
  eventsByTimeMigration,
  journeyColumnsMigration,
  journeyEventsMigration,
  userDaysMigration,
  eventKindMigration,
  activityByUserMigration,
  replayRunsMigration,
  eventsByQuarterMigration,
  blockColumnsMigration,
];

export type { ReadModelMigration };
