import { RetentionShape, TableDefinition, columns } from './table-definition';

/**
 * A table fed from `events` by a materialized view (`<name>_mv`), as it is now: its
 * columns and the SELECT the view runs. A replay rebuilds `events` into a shadow table,
 * where no view fires, so each derived table is rebuilt beside it from the shadow events
 * with the same SELECT (`select(source)`), then swapped in with it.
 */
export interface DerivedTableDefinition extends TableDefinition {
  /** The view's query over `events`, or over another events table (a replay's shadow). */
  select(events: string): string;
  /**
   * Merge the table into one part per partition once populated (`OPTIMIZE … FINAL`):
   * for a table sorted by time, filled from `events` (sorted by user), whose readers
   * count on parts that cover separate time ranges (FINAL then has nothing to merge).
   */
  compactAfterPopulate?: boolean;
  /** How retention removes the rows of old events (required: a new derived table must say). */
  retention: RetentionShape;
}

/** A table with one row per event: retention deletes the rows of events before the cutoff. */
const PER_EVENT: RetentionShape = { kind: 'events', time: 'occurred_at' };

/**
 * One row per session (after merges): every column a min or a max, so duplicates change
 * nothing; readers re-aggregate with `GROUP BY session_id` and min/max.
 */
export const SESSION_COLUMNS = `
  product, env, tag, identifier, session_id,
  min(occurred_at) AS first_at,
  max(occurred_at) AS last_at,
  min(if(type = 'SessionStarted', occurred_at, NULL)) AS started_at,
  max(if(type IN ('SessionStarted', 'SessionRefreshed', 'SessionExtended'),
         parseDateTime64BestEffortOrNull(JSONExtractString(data, 'refreshExpiresAt'), 3, 'UTC'), NULL)) AS ends_at,
  min(if(type = 'SessionRevoked', occurred_at, NULL)) AS revoked_at`;

export const SESSIONS_TABLE: DerivedTableDefinition = {
  name: 'sessions',
  columns: columns(
    'product LowCardinality(String)',
    'env LowCardinality(String)',
    'tag LowCardinality(String)',
    'identifier String',
    'session_id UUID',
    "first_at SimpleAggregateFunction(min, DateTime64(3, 'UTC'))",
    "last_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))",
    "started_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')))",
    "ends_at SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC')))",
    "revoked_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')))",
  ),
  select: (events) => `SELECT ${SESSION_COLUMNS} FROM ${events} WHERE identifier != '' GROUP BY product, env, tag, identifier, session_id`,
  retention: { kind: 'groups', first: 'first_at', last: 'last_at', key: 'tag, identifier, session_id', keyOfEvents: 'tag, identifier, session_id' },
};

/** The narrow, time-sorted copy of every user event (the user as cityHash64(env, identifier)). */
export const EVENTS_BY_TIME_COLUMNS = `product, env, tag, occurred_at, event_id, type, step, status,
  cityHash64(env, identifier) AS user_hash`;

/** `events_by_time`'s rows sorted by quarter-hour first; `quarter` and `kind` are computed on insert. */
export const EVENTS_BY_QUARTER_TABLE: DerivedTableDefinition = {
  name: 'events_by_quarter',
  columns: columns(
    'product LowCardinality(String)',
    'env LowCardinality(String)',
    'tag LowCardinality(String)',
    "occurred_at DateTime64(3, 'UTC')",
    "quarter DateTime('UTC') MATERIALIZED",
    'event_id UUID',
    'type LowCardinality(String)',
    'step LowCardinality(String)',
    'status LowCardinality(String)',
    'user_hash UInt64',
    'kind UInt8 MATERIALIZED',
  ),
  select: (events) => `SELECT ${EVENTS_BY_TIME_COLUMNS} FROM ${events} WHERE identifier != ''`,
  compactAfterPopulate: true,
  retention: PER_EVENT,
};

/** One user's journey, ready to serve: `data` is the item's data as the journey answers it, made by ClickHouse. */
export const JOURNEY_EVENTS_COLUMNS = `product, env, tag, identifier, occurred_at, event_id, type, session_id, step, status, process_id,
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

export const JOURNEY_EVENTS_TABLE: DerivedTableDefinition = {
  name: 'journey_events',
  columns: columns(
    'product String',
    'env String',
    'tag String',
    'identifier String',
    "occurred_at DateTime64(3, 'UTC')",
    'event_id UUID',
    'type String',
    'session_id UUID',
    'step LowCardinality(String)',
    'status LowCardinality(String)',
    'process_id String',
    'data String',
  ),
  select: (events) => `SELECT ${JOURNEY_EVENTS_COLUMNS} FROM ${events} WHERE identifier != ''`,
  retention: PER_EVENT,
};

/** One row per user and UTC day with events: the day's first and last event. */
export const USER_DAYS_COLUMNS = `product, tag, toDate(occurred_at) AS day, env, cityHash64(env, identifier) AS user_hash,
  min(occurred_at) AS first_at, max(occurred_at) AS last_at`;

export const USER_DAYS_TABLE: DerivedTableDefinition = {
  name: 'user_days',
  columns: columns(
    'product LowCardinality(String)',
    'tag LowCardinality(String)',
    'day Date',
    'env LowCardinality(String)',
    'user_hash UInt64',
    "first_at SimpleAggregateFunction(min, DateTime64(3, 'UTC'))",
    "last_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))",
  ),
  select: (events) => `SELECT ${USER_DAYS_COLUMNS} FROM ${events} WHERE identifier != '' GROUP BY product, tag, day, env, user_hash`,
  retention: {
    kind: 'groups',
    first: 'first_at',
    last: 'last_at',
    key: 'tag, day, user_hash',
    keyOfEvents: 'tag, toDate(occurred_at), cityHash64(env, identifier)',
  },
};

/** The activity records sorted by user (for paths); `event_num` keeps same-millisecond records in reported order. */
export const ACTIVITY_BY_USER_COLUMNS = `product, tag, env, cityHash64(env, identifier) AS user_hash, occurred_at,
  UUIDToNum(event_id) AS event_num, step`;

export const ACTIVITY_BY_USER_TABLE: DerivedTableDefinition = {
  name: 'activity_by_user',
  columns: columns(
    'product LowCardinality(String)',
    'tag LowCardinality(String)',
    'env LowCardinality(String)',
    'user_hash UInt64',
    "occurred_at DateTime64(3, 'UTC')",
    'event_num FixedString(16)',
    'step LowCardinality(String)',
  ),
  select: (events) => `SELECT ${ACTIVITY_BY_USER_COLUMNS} FROM ${events} WHERE identifier != '' AND type = 'SessionActivityRecorded'`,
  retention: PER_EVENT,
};

/**
 * Every table fed from `events` by a materialized view. A new view on `events` must be
 * listed here, or a replay would leave its table as it was.
 */
export const DERIVED_TABLE_DEFINITIONS: readonly DerivedTableDefinition[] = [
  SESSIONS_TABLE,
  EVENTS_BY_QUARTER_TABLE,
  JOURNEY_EVENTS_TABLE,
  USER_DAYS_TABLE,
  ACTIVITY_BY_USER_TABLE,
];

/** What a replay needs of a derived table (libs/replay's shadow tables). */
export interface DerivedTable {
  table: string;
  /** `INSERT INTO <target> SELECT … FROM <source>`: the view's own query over another source. */
  populate(source: string, target: string): string;
  /** See DerivedTableDefinition.compactAfterPopulate. */
  compactAfterPopulate?: boolean;
}

export const DERIVED_TABLES: readonly DerivedTable[] = DERIVED_TABLE_DEFINITIONS.map((definition) => ({
  table: definition.name,
  populate: (source: string, target: string) => `INSERT INTO ${target} ${definition.select(source)}`,
  ...(definition.compactAfterPopulate ? { compactAfterPopulate: true } : {}),
}));
