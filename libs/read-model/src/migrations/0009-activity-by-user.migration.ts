import { ReadModelMigration } from './read-model-migration';

/**
 * The activity records (`SessionActivityRecorded`) again, sorted by user instead of by
 * time, for paths: `ORDER BY (product, tag, env, user_hash, occurred_at, event_num)`,
 * monthly partitions. Paths gather each user's steps into one array; from
 * `events_by_time` (sorted by time) the users of a month arrive interleaved, so every
 * row lands in another user's array and hash-table slot, and that scattering was most
 * of a 30-day query (measured: the same SQL over this table took about a third of the
 * CPU, on the same rows). Here a user's rows of a month are contiguous.
 *
 * `event_num` is `UUIDToNum(event_id)`, the id's bytes in standard order: paths order a
 * user's steps by (occurred_at, event_num), so records of the same millisecond keep the
 * order they were reported in (ClickHouse's own UUID order compares the random half
 * first). Paths sort their arrays themselves and never rely on the order rows are read in.
 *
 * Deduplication: a duplicated event is the same (time, id, step) row, which the paths'
 * collapse of consecutive repeats folds into its original, so readers need no `FINAL`;
 * ReplacingMergeTree drops it at the next merge anyway. Late and out-of-order events
 * are simply rows in their place. `user_hash` is `events_by_time`'s
 * (cityHash64(env, identifier)).
 *
 * Fed by a materialized view; the INSERT back-fills an existing database (run twice it
 * only adds duplicates, harmless as above).
 */
const ACTIVITY_BY_USER_COLUMNS = `product, tag, env, cityHash64(env, identifier) AS user_hash, occurred_at,
  UUIDToNum(event_id) AS event_num, step`;

const SELECT_ACTIVITY_BY_USER = `SELECT ${ACTIVITY_BY_USER_COLUMNS} FROM events WHERE identifier != '' AND type = 'SessionActivityRecorded'`;

export const activityByUserMigration: ReadModelMigration = {
  version: 9,
  name: 'activity-by-user',
  statements: [
    `CREATE TABLE IF NOT EXISTS activity_by_user
     (
       product     LowCardinality(String),
       tag         LowCardinality(String),
       env         LowCardinality(String),
       user_hash   UInt64,
       occurred_at DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
       event_num   FixedString(16),
       step        LowCardinality(String)
     )
     ENGINE = ReplacingMergeTree
     PARTITION BY toYYYYMM(occurred_at)
     ORDER BY (product, tag, env, user_hash, occurred_at, event_num)`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS activity_by_user_mv TO activity_by_user AS ${SELECT_ACTIVITY_BY_USER}`,
    `INSERT INTO activity_by_user ${SELECT_ACTIVITY_BY_USER}`,
  ],
};
