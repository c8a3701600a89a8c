import { ReadModelMigration } from './read-model-migration';

/**
 * The journal of replays from Kafka (distributed mode): one row per saved state of a
 * run, the newest `revision` wins. It lives in ClickHouse beside the shadow tables it
 * describes, so any process (another CLI, any API instance) can follow or resume a run;
 * the embedded service keeps its journal in SQLite instead. Not a read-model table:
 * replay neither rebuilds nor swaps it.
 */
export const replayRunsMigration: ReadModelMigration = {
  version: 10,
  name: 'replay-runs',
  statements: [
    `CREATE TABLE IF NOT EXISTS replay_runs
     (
       id         String,
       revision   UInt64,
       status     LowCardinality(String),
       created_at DateTime64(3, 'UTC'),
       record     String
     )
     ENGINE = ReplacingMergeTree(revision)
     ORDER BY id`,
  ],
};
