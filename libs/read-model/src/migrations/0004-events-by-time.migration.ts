import { ReadModelMigration } from './read-model-migration';

/**
 * A narrow copy of every user event sorted by time, for the tag-wide reads (dashboard,
 * funnels, paths, retention). The raw table is sorted by user, which makes one user's
 * journey a few granules but makes any "all users in this period" read scan every
 * part; here a period is a contiguous range of the primary key, and only the columns
 * those reads need are stored: no JSON, the user as one 64-bit hash.
 *
 * Deduplication: ReplacingMergeTree on a sort key that ends in event_id collapses a
 * duplicated event at merge time; counting readers use `FINAL`. The projector inserts
 * in log order, which is time order, so new parts cover new time ranges and seldom
 * intersect: FINAL then reads nearly all ranges without merging them.
 *
 * `user_hash` is cityHash64(env, identifier): 64 bits, so two of a tag's users sharing
 * a hash is about as likely as 1 in 10^9 for 200 000 users.
 *
 * The view sees rows inserted after it exists; the INSERT back-fills what `events`
 * already held (run twice, it only adds duplicates that FINAL and merges remove).
 */
const EVENTS_BY_TIME_COLUMNS = `product, env, tag, occurred_at, event_id, type, step, status,
  cityHash64(env, identifier) AS user_hash`;

export const eventsByTimeMigration: ReadModelMigration = {
  version: 4,
  name: 'events-by-time',
  statements: [
    `CREATE TABLE IF NOT EXISTS events_by_time
     (
       product     LowCardinality(String),
       env         LowCardinality(String),
       tag         LowCardinality(String),
       occurred_at DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
       event_id    UUID,
       type        LowCardinality(String),
       step        LowCardinality(String),
       status      LowCardinality(String),
       user_hash   UInt64
     )
     ENGINE = ReplacingMergeTree
     PARTITION BY toYYYYMM(occurred_at)
     ORDER BY (product, tag, occurred_at, event_id)`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS events_by_time_mv TO events_by_time AS
     SELECT ${EVENTS_BY_TIME_COLUMNS} FROM events WHERE identifier != ''`,
    `INSERT INTO events_by_time SELECT ${EVENTS_BY_TIME_COLUMNS} FROM events WHERE identifier != ''`,
  ],
};
