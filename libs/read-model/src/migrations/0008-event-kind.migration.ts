import { ReadModelMigration } from './read-model-migration';

/**
 * What the tag dashboard counts an event as, in one byte of `events_by_time`: activity
 * by outcome (1 success, 2 error, 3 other) or the lifecycle operation (4 start,
 * 5 refresh, 6 revoke, 7 extend); 0 for anything else. Grouping by this byte instead of
 * by the `type` and `status` strings made the dashboard's pass over the range's events
 * about twice as fast (two `LowCardinality` keys and the comparisons on them were most of
 * its time). `MATERIALIZED`, so the view's insert is unchanged and a replay's shadow
 * table (`CREATE TABLE … AS events_by_time`) computes it too; parts written before this
 * migration get it from `MATERIALIZE COLUMN` (and compute it on read until then).
 * The numbers are EVENT_KINDS (../schema/event-kinds.ts).
 */
const EVENT_KIND_SQL = `multiIf(
         type = 'SessionActivityRecorded', multiIf(status = 'success', 1, status = 'error', 2, 3),
         type = 'SessionStarted', 4,
         type = 'SessionRefreshed', 5,
         type = 'SessionRevoked', 6,
         type = 'SessionExtended', 7,
         0)`;

export const eventKindMigration: ReadModelMigration = {
  version: 8,
  name: 'event-kind',
  statements: [
    `ALTER TABLE events_by_time
       ADD COLUMN IF NOT EXISTS kind UInt8 MATERIALIZED ${EVENT_KIND_SQL}`,
    `ALTER TABLE events_by_time MATERIALIZE COLUMN kind`,
  ],
};
