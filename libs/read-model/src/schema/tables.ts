import { DERIVED_TABLE_DEFINITIONS } from './derived-tables';
import { RetentionShape, TableDefinition, columns } from './table-definition';

/**
 * Raw events, one row per event of the log (the projector inserts them; see
 * event-rows.ts for the columns it writes). The MATERIALIZED columns are extracted
 * from `data` by ClickHouse at insert (migrations 0002 and 0005).
 */
export const EVENTS_TABLE: TableDefinition = {
  name: 'events',
  columns: columns(
    'event_id UUID',
    'type LowCardinality(String)',
    'version UInt16',
    "occurred_at DateTime64(3, 'UTC')",
    'product LowCardinality(String)',
    'env LowCardinality(String)',
    'tag LowCardinality(String)',
    'identifier String',
    'session_id UUID',
    'data String',
    'meta String',
    'log_position String',
    "projected_at DateTime64(3, 'UTC') DEFAULT",
    'step LowCardinality(String) MATERIALIZED',
    'status LowCardinality(String) MATERIALIZED',
    'latency_ms Nullable(Float64) MATERIALIZED',
    'process_id String MATERIALIZED',
    'parent String MATERIALIZED',
    'child String MATERIALIZED',
    'properties String MATERIALIZED',
    'detail String MATERIALIZED',
  ),
};

/** The journal of replays from Kafka (distributed mode); not rebuilt by a replay. */
export const REPLAY_RUNS_TABLE: TableDefinition = {
  name: 'replay_runs',
  columns: columns('id String', 'revision UInt64', 'status LowCardinality(String)', "created_at DateTime64(3, 'UTC')", 'record String'),
};

/** Every table of the read model (the migrator's own `schema_migrations` aside). */
export const READ_MODEL_TABLES: readonly TableDefinition[] = [EVENTS_TABLE, ...DERIVED_TABLE_DEFINITIONS, REPLAY_RUNS_TABLE];

/**
 * The tables retention prunes (docs/retention.md), `events` first: a group of a derived
 * table is rebuilt from the events that remain, so those must be gone already.
 * `replay_runs` holds no events.
 */
export const RETAINED_TABLES: ReadonlyArray<{ name: string; retention: RetentionShape }> = [
  // Users' events only: spec changes (no identifier) are the configuration's history and
  // stay, as in the log. The derived tables hold users' events only.
  { name: EVENTS_TABLE.name, retention: { kind: 'events', time: 'occurred_at', where: "identifier != ''" } },
  ...DERIVED_TABLE_DEFINITIONS,
];
