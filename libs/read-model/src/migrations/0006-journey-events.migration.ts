import { ReadModelMigration } from './read-model-migration';

/**
 * One user's journey, ready to serve: a copy of every user event, sorted by user like
 * `events` but built for a point read.
 *
 * - No partitions and 256-row granules (`events` has monthly partitions and 8192-row
 *   granules, fixed at creation): a page reads one or two small granules in each of a
 *   few parts instead of an 8192-row granule of a dozen columns in every part.
 * - The key columns are plain `String`s: reading a `LowCardinality` column from the
 *   middle of a part also reads its dictionary, which measured as the largest single
 *   cost of a page. Constant runs compress to almost nothing either way.
 * - `data` is the item's data as the journey answers it, as JSON made by ClickHouse at
 *   insert from the columns of migrations 0002 and 0005 (an activity record's fields;
 *   a lifecycle event's small data, a start's without its sealed user data): a page
 *   reads five columns instead of twelve. Ids stay binary UUID columns (as JSON text
 *   their random half does not compress). `step`, `status` and `process_id` are only
 *   read by the journey's filters, so they can be the smaller `LowCardinality`.
 *
 * Deduplication as in `events`: ReplacingMergeTree on a key that ends in event_id, and
 * the reader keeps one row per event (`LIMIT 1 BY`). Fed by a materialized view; the
 * INSERT back-fills an existing database (run twice it only adds duplicates that the
 * reader and merges drop).
 */
const JOURNEY_EVENTS_COLUMNS = `product, env, tag, identifier, occurred_at, event_id, type, session_id, step, status, process_id,
  if(type = 'SessionActivityRecorded',
    concat(
      '{"name":', toJSONString(toString(step)),
      if(parent != '', concat(',"parent":', toJSONString(parent)), ''),
      if(child != '', concat(',"child":', toJSONString(child)), ''),
      ',"status":', toJSONString(toString(status)),
      if(latency_ms IS NULL, '', concat(',"latencyMs":', toJSONString(assumeNotNull(latency_ms)))),
      if(process_id != '', concat(',"processId":', toJSONString(process_id)), ''),
      if(properties != '', concat(',"properties":', properties), ''),
      '}'),
    if(detail = '', '{}', detail)) AS data`;

const SELECT_JOURNEY_EVENTS = `SELECT ${JOURNEY_EVENTS_COLUMNS} FROM events WHERE identifier != ''`;

export const journeyEventsMigration: ReadModelMigration = {
  version: 6,
  name: 'journey-events',
  statements: [
    `CREATE TABLE IF NOT EXISTS journey_events
     (
       product     String,
       env         String,
       tag         String,
       identifier  String,
       occurred_at DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
       event_id    UUID CODEC(ZSTD(1)),
       type        String CODEC(ZSTD(1)),
       session_id  UUID CODEC(ZSTD(1)),
       step        LowCardinality(String),
       status      LowCardinality(String),
       process_id  String CODEC(ZSTD(1)),
       data        String CODEC(ZSTD(1))
     )
     ENGINE = ReplacingMergeTree
     ORDER BY (product, env, tag, identifier, occurred_at, event_id)
     SETTINGS index_granularity = 256`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS journey_events_mv TO journey_events AS ${SELECT_JOURNEY_EVENTS}`,
    `INSERT INTO journey_events ${SELECT_JOURNEY_EVENTS}`,
  ],
};
