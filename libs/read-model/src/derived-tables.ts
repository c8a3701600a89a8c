import { selectSessionsFrom } from './migrations/0003-sessions.migration';
import { selectEventsByTimeFrom } from './migrations/0004-events-by-time.migration';
import { selectJourneyEventsFrom } from './migrations/0006-journey-events.migration';
import { selectUserDaysFrom } from './migrations/0007-user-days.migration';
import { selectActivityByUserFrom } from './migrations/0009-activity-by-user.migration';

/**
 * Tables fed from `events` by materialized views. A replay rebuilds `events` into a
 * shadow table, where no view fires, so each derived table is rebuilt beside it from
 * the shadow events with the same SELECT its view runs, then swapped in with it.
 * A new materialized view on `events` must be listed here, or a replay would leave its
 * table as it was.
 */
export interface DerivedTable {
  table: string;
  /** `INSERT INTO <target> SELECT … FROM <source>`: the view's own query over another source. */
  populate(source: string, target: string): string;
  /**
   * Merge the table into one part per partition once populated (`OPTIMIZE … FINAL`):
   * for a table sorted by time, filled from `events` (sorted by user), whose readers
   * count on parts that cover separate time ranges (FINAL then has nothing to merge).
   */
  compactAfterPopulate?: boolean;
}

export const DERIVED_TABLES: readonly DerivedTable[] = [
  { table: 'sessions', populate: (source, target) => `INSERT INTO ${target} ${selectSessionsFrom(source)}` },
  { table: 'events_by_quarter', populate: (source, target) => `INSERT INTO ${target} ${selectEventsByTimeFrom(source)}`, compactAfterPopulate: true },
  { table: 'journey_events', populate: (source, target) => `INSERT INTO ${target} ${selectJourneyEventsFrom(source)}` },
  { table: 'user_days', populate: (source, target) => `INSERT INTO ${target} ${selectUserDaysFrom(source)}` },
  { table: 'activity_by_user', populate: (source, target) => `INSERT INTO ${target} ${selectActivityByUserFrom(source)}` },
];
