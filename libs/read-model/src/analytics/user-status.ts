/**
 * A user's status, from their sessions at a moment `now`:
 * - `active`: at least one session is live (not revoked, its end still ahead);
 * - `inactive`: none is live and the latest session was revoked (signed out, or
 *   revoked by the product's backend or by refresh-token reuse);
 * - `expired`: none is live and the latest session simply ran past its end.
 */
export const USER_STATUSES = ['active', 'inactive', 'expired'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/**
 * One row per session from the `sessions` table. `FINAL` merges the rows of a session
 * that background merges have not combined yet (every column is a min or a max, so
 * merging is exact). `where` is fixed SQL text from the callers.
 */
export function sessionsSubquery(where: string): string {
  return `SELECT env, identifier, session_id, first_at, last_at, started_at, ends_at, revoked_at
          FROM sessions FINAL
          WHERE ${where}`;
}

/** The status rules above as an aggregate over a user's sessions (rows of `sessionsSubquery`). */
export const USER_STATUS_SQL = `multiIf(
    countIf(revoked_at IS NULL AND ends_at > {now:DateTime64(3, 'UTC')}) > 0, 'active',
    argMax(revoked_at IS NOT NULL, coalesce(started_at, first_at)), 'inactive',
    'expired')`;

/** Live at `now`: the same rule per session. */
export const SESSION_LIVE_SQL = `(revoked_at IS NULL AND ends_at > {now:DateTime64(3, 'UTC')})`;
