/**
 * What the tag dashboard counts an event as, in one byte (`kind`, a MATERIALIZED column
 * of `events_by_quarter`): activity by outcome (1 success, 2 error, 3 other) or the
 * lifecycle operation (4 start, 5 refresh, 6 revoke, 7 extend); 0 for anything else.
 */
export const EVENT_KINDS = { success: 1, error: 2, otherActivity: 3, start: 4, refresh: 5, revoke: 6, extend: 7 } as const;

/** The `kind` column's expression over `type` and `status` (the numbers of EVENT_KINDS). */
export const EVENT_KIND_SQL = `multiIf(
         type = 'SessionActivityRecorded', multiIf(status = 'success', 1, status = 'error', 2, 3),
         type = 'SessionStarted', 4,
         type = 'SessionRefreshed', 5,
         type = 'SessionRevoked', 6,
         type = 'SessionExtended', 7,
         0)`;
