/* eslint-disable max-len -- a shipped migration keeps its SQL as it shipped (docs/read-model-schema.md) */
import { ReadModelMigration } from './read-model-migration';

/**
 * What a journey page shows, without the JSON `data` column: the rest of an activity
 * record (`parent`, `child`, `properties`) and, for lifecycle events, their small data
 * (`detail`; a start's without its sealed user data). A user's rows sit in 8192-row
 * granules of every part, and a granule of `data` is about a megabyte to decompress per
 * part; these columns are mostly empty and a tenth of that. Computed at insert like
 * migration 0002's, back-filled by `MATERIALIZE COLUMN`.
 */
export const journeyColumnsMigration: ReadModelMigration = {
  version: 5,
  name: 'journey-columns',
  statements: [
    `ALTER TABLE events
       ADD COLUMN IF NOT EXISTS parent String
         MATERIALIZED if(type = 'SessionActivityRecorded', JSONExtractString(data, 'parent'), ''),
       ADD COLUMN IF NOT EXISTS child String
         MATERIALIZED if(type = 'SessionActivityRecorded', JSONExtractString(data, 'child'), ''),
       ADD COLUMN IF NOT EXISTS properties String
         MATERIALIZED if(type = 'SessionActivityRecorded', JSONExtractRaw(data, 'properties'), '') CODEC(ZSTD(3)),
       ADD COLUMN IF NOT EXISTS detail String
         MATERIALIZED multiIf(
           type = 'SessionActivityRecorded', '',
           type = 'SessionStarted', concat('{"expiresAt":', JSONExtractRaw(data, 'expiresAt'), ',"refreshExpiresAt":', JSONExtractRaw(data, 'refreshExpiresAt'), '}'),
           data) CODEC(ZSTD(3))`,
    `ALTER TABLE events MATERIALIZE COLUMN parent`,
    `ALTER TABLE events MATERIALIZE COLUMN child`,
    `ALTER TABLE events MATERIALIZE COLUMN properties`,
    `ALTER TABLE events MATERIALIZE COLUMN detail`,
  ],
};
