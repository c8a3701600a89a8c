import { ReadModelMigration } from './read-model-migration';

/**
 * A set skip index on `events.type`, for reads of rare event types across a whole tag:
 * refresh-token reuse incidents (docs/token-lineage.md) are a handful among millions of
 * events, and the events table is sorted by user, so without the index such a read
 * scans the tag's `type` column from end to end. With it, a granule (8192 rows) whose
 * types do not include the one asked for is skipped. Lineage and journey reads go by the
 * sort key and do not use it. `MATERIALIZE INDEX` builds it for the parts already there.
 */
export const eventTypeIndexMigration: ReadModelMigration = {
  version: 13,
  name: 'event-type-index',
  statements: ['ALTER TABLE events ADD INDEX IF NOT EXISTS type_set type TYPE set(16) GRANULARITY 1', 'ALTER TABLE events MATERIALIZE INDEX type_set'],
};
