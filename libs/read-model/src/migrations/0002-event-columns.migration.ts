import { ReadModelMigration } from './read-model-migration';

/**
 * Activity fields every analytics query filters or groups on, extracted from the JSON
 * `data` once at insert time instead of on every read: parsing JSON is what made a
 * scan over millions of events slow. `MATERIALIZED` columns are computed by
 * ClickHouse for every row inserted after this migration (the projector's insert is
 * unchanged); `MATERIALIZE COLUMN` back-fills the rows already there (a mutation that
 * runs in the background on an existing database, instant on a new one).
 */
export const eventColumnsMigration: ReadModelMigration = {
  version: 2,
  name: 'event-columns',
  statements: [
    `ALTER TABLE events
       ADD COLUMN IF NOT EXISTS step LowCardinality(String)
         MATERIALIZED if(type = 'SessionActivityRecorded', JSONExtractString(data, 'name'), ''),
       ADD COLUMN IF NOT EXISTS status LowCardinality(String)
         MATERIALIZED if(type = 'SessionActivityRecorded', JSONExtractString(data, 'status'), ''),
       ADD COLUMN IF NOT EXISTS latency_ms Nullable(Float64)
         MATERIALIZED if(type = 'SessionActivityRecorded', JSONExtract(data, 'latencyMs', 'Nullable(Float64)'), NULL),
       ADD COLUMN IF NOT EXISTS process_id String
         MATERIALIZED if(type = 'SessionActivityRecorded', JSONExtractString(data, 'processId'), '')`,
    `ALTER TABLE events MATERIALIZE COLUMN step`,
    `ALTER TABLE events MATERIALIZE COLUMN status`,
    `ALTER TABLE events MATERIALIZE COLUMN latency_ms`,
    `ALTER TABLE events MATERIALIZE COLUMN process_id`,
  ],
};
