import { ReadModelMigration } from './read-model-migration';

/**
 * One row per session (after merges), fed by a materialized view on `events`: what the
 * user lists, the profile and the tag dashboard need about sessions without reading
 * every event. Every column is a min or a max, so a duplicate event (a retried or
 * replayed batch) changes nothing: the table is idempotent under re-inserts, unlike a
 * count. Until parts merge a session may have several rows, so readers re-aggregate
 * with `GROUP BY session_id` and min/max.
 *
 * - `first_at`/`last_at`: the session's first and last event (duration, last seen).
 * - `started_at`: its SessionStarted; NULL while only later events have arrived.
 * - `ends_at`: the latest `refreshExpiresAt` (start, refresh and extend only ever push
 *   it later), i.e. when the session ends unless revoked.
 * - `revoked_at`: its first SessionRevoked.
 *
 * The view sees only rows inserted after it exists; the final INSERT back-fills a
 * database that already had events (harmless when run twice: min/max again).
 */
const SESSION_COLUMNS = `
  product, env, tag, identifier, session_id,
  min(occurred_at) AS first_at,
  max(occurred_at) AS last_at,
  min(if(type = 'SessionStarted', occurred_at, NULL)) AS started_at,
  max(if(type IN ('SessionStarted', 'SessionRefreshed', 'SessionExtended'),
         parseDateTime64BestEffortOrNull(JSONExtractString(data, 'refreshExpiresAt'), 3, 'UTC'), NULL)) AS ends_at,
  min(if(type = 'SessionRevoked', occurred_at, NULL)) AS revoked_at`;

const SESSION_SOURCE = `FROM events WHERE identifier != '' GROUP BY product, env, tag, identifier, session_id`;

export const sessionsMigration: ReadModelMigration = {
  version: 3,
  name: 'sessions',
  statements: [
    `CREATE TABLE IF NOT EXISTS sessions
     (
       product    LowCardinality(String),
       env        LowCardinality(String),
       tag        LowCardinality(String),
       identifier String,
       session_id UUID,
       first_at   SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
       last_at    SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
       started_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
       ends_at    SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC'))),
       revoked_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')))
     )
     ENGINE = AggregatingMergeTree
     ORDER BY (product, env, tag, identifier, session_id)`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS sessions_mv TO sessions AS SELECT ${SESSION_COLUMNS} ${SESSION_SOURCE}`,
    `INSERT INTO sessions SELECT ${SESSION_COLUMNS} ${SESSION_SOURCE}`,
  ],
};
