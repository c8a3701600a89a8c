/**
 * The embedded store's schema: the event log, consumer checkpoints, dead letters and
 * session state live in one SQLite file so that appending an event and changing a
 * session's state commit in the same transaction. Numbered; `user_version` records
 * how far a database has come.
 */
export const EMBEDDED_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    position    INTEGER PRIMARY KEY,
    event_id    TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    occurred_at INTEGER NOT NULL,
    product     TEXT    NOT NULL,
    env         TEXT    NOT NULL,
    tag         TEXT    NOT NULL,
    identifier  TEXT    NOT NULL,
    body        TEXT    NOT NULL
  );
  CREATE TABLE checkpoints (
    consumer   TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    -- The last position of the batch being processed, recorded before processing, so
    -- that after a crash the same batch (same bounds, same dedup token) is redone.
    pending_to INTEGER,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE dead_letters (
    id          INTEGER PRIMARY KEY,
    consumer    TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    recorded_at INTEGER NOT NULL
  );
  CREATE TABLE sessions (
    session_id          TEXT PRIMARY KEY,
    product             TEXT    NOT NULL,
    env                 TEXT    NOT NULL,
    tag                 TEXT    NOT NULL,
    identifier          TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    started_at          INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    refresh_expires_at  INTEGER NOT NULL,
    token_ttl_ms        INTEGER NOT NULL,
    refresh_ttl_ms      INTEGER NOT NULL,
    sealed_data         TEXT    NOT NULL,
    refresh_token_hash  TEXT    NOT NULL,
    spent_hashes        TEXT    NOT NULL,
    rotated_at          INTEGER,
    last_refresh_sealed TEXT,
    generation          INTEGER NOT NULL,
    version             INTEGER NOT NULL,
    revoked_at          INTEGER,
    revoke_reason       TEXT
  ) WITHOUT ROWID;
  CREATE INDEX sessions_by_identifier ON sessions (product, env, tag, identifier, started_at);
  CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
  CREATE TABLE session_specs (
    product  TEXT    NOT NULL,
    tag      TEXT    NOT NULL,
    revision INTEGER NOT NULL,
    deleted  INTEGER NOT NULL,
    body     TEXT    NOT NULL,
    PRIMARY KEY (product, tag)
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE replay_runs (
    id          TEXT PRIMARY KEY,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    request     TEXT    NOT NULL,
    plan        TEXT    NOT NULL,
    copied      INTEGER NOT NULL,
    reached     TEXT,
    processed   INTEGER NOT NULL,
    skipped     INTEGER NOT NULL,
    error       TEXT
  );
  `,
  `
  ALTER TABLE dead_letters ADD COLUMN redriven_at INTEGER;
  `,
  // A replay whose swap began must be finished, never rebuilt into its shadow tables.
  `
  ALTER TABLE replay_runs ADD COLUMN swap_started INTEGER NOT NULL DEFAULT 0;
  `,
  // sessions becomes a rowid table. A row is ~2 KB once a refresh stored its sealed
  // answer; WITHOUT ROWID keeps at most ~1,000 bytes of a row in its b-tree page and
  // the rest in an overflow page, so every refresh read an overflow page and rewrote
  // one (freed and reallocated) besides the leaf. A rowid table keeps the whole row in
  // its leaf and finds it through the primary key's index: find + update + event,
  // 44.6 -> 31.6 µs CPU with 5,000 sessions (docs/benchmarks.md, session 4).
  `
  CREATE TABLE sessions_by_rowid (
    session_id          TEXT    NOT NULL PRIMARY KEY,
    product             TEXT    NOT NULL,
    env                 TEXT    NOT NULL,
    tag                 TEXT    NOT NULL,
    identifier          TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    started_at          INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    refresh_expires_at  INTEGER NOT NULL,
    token_ttl_ms        INTEGER NOT NULL,
    refresh_ttl_ms      INTEGER NOT NULL,
    sealed_data         TEXT    NOT NULL,
    refresh_token_hash  TEXT    NOT NULL,
    spent_hashes        TEXT    NOT NULL,
    rotated_at          INTEGER,
    last_refresh_sealed TEXT,
    generation          INTEGER NOT NULL,
    version             INTEGER NOT NULL,
    revoked_at          INTEGER,
    revoke_reason       TEXT
  );
  INSERT INTO sessions_by_rowid (session_id, product, env, tag, identifier, status, started_at, expires_at, refresh_expires_at,
    token_ttl_ms, refresh_ttl_ms, sealed_data, refresh_token_hash, spent_hashes, rotated_at, last_refresh_sealed, generation,
    version, revoked_at, revoke_reason)
  SELECT session_id, product, env, tag, identifier, status, started_at, expires_at, refresh_expires_at,
    token_ttl_ms, refresh_ttl_ms, sealed_data, refresh_token_hash, spent_hashes, rotated_at, last_refresh_sealed, generation,
    version, revoked_at, revoke_reason
  FROM sessions ORDER BY started_at, session_id;
  DROP TABLE sessions;
  ALTER TABLE sessions_by_rowid RENAME TO sessions;
  CREATE INDEX sessions_by_identifier ON sessions (product, env, tag, identifier, started_at);
  CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
  `,
  // A replay's count of events ClickHouse refused (part of `skipped`), kept like the other counts.
  `
  ALTER TABLE replay_runs ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
  `,
  // Idle and absolute timeouts (docs/session-timeouts.md). Sessions stored before them get
  // what they had (legacyTimeoutsOf in libs/domain, which this mirrors): idle = their
  // refresh lifetime, absolute end = 90 days from start but never before their current
  // end, last use = their last refresh or start.
  `
  ALTER TABLE sessions ADD COLUMN absolute_expires_at INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN idle_timeout_ms INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
  UPDATE sessions SET
    absolute_expires_at = max(refresh_expires_at, ((started_at + 7776000000) / 1000) * 1000),
    idle_timeout_ms = refresh_ttl_ms,
    last_used_at = coalesce(rotated_at, started_at);
  `,
  // DPoP (docs/dpop.md): the thumbprint of the client key a session is bound to; NULL: not bound.
  `
  ALTER TABLE sessions ADD COLUMN dpop_jkt TEXT;
  `,
  // Token lineage (docs/token-lineage.md): when each spent refresh token was spent, a JSON
  // array beside spent_hashes; NULL in sessions stored before (unknown there).
  `
  ALTER TABLE sessions ADD COLUMN spent_times TEXT;
  `,
];
