import { ReadModelMigration } from './read-model-migration';

/**
 * Raw events, sorted for the journey lookup (one user's events are contiguous and in
 * time order). ReplacingMergeTree on the sort key, which ends in event_id, collapses
 * a replayed or retried event at merge time; until then readers deduplicate
 * (`LIMIT 1 BY event_id`). The deduplication window drops an identical retried insert
 * (same `insert_deduplication_token`) before it is written at all.
 */
export const eventsMigration: ReadModelMigration = {
  version: 1,
  name: 'events',
  statements: [
    `CREATE TABLE IF NOT EXISTS events
     (
       event_id     UUID,
       type         LowCardinality(String),
       version      UInt16,
       occurred_at  DateTime64(3, 'UTC'),
       product      LowCardinality(String),
       env          LowCardinality(String),
       tag          LowCardinality(String),
       identifier   String,
       session_id   UUID,
       data         String CODEC(ZSTD(3)),
       meta         String CODEC(ZSTD(3)),
       log_position String,
       projected_at DateTime64(3, 'UTC') DEFAULT now64(3)
     )
     ENGINE = ReplacingMergeTree
     PARTITION BY toYYYYMM(occurred_at)
     ORDER BY (product, env, tag, identifier, occurred_at, event_id)
     SETTINGS non_replicated_deduplication_window = 10000`,
  ],
};
