/** The current time in Unix milliseconds; injected so decisions are reproducible in tests. */
export type Clock = () => number;

export const systemClock: Clock = Date.now;

let lastEpochMs = Number.NaN;
let lastIso = '';

/**
 * ISO-8601 in UTC with millisecond precision, the one timestamp format events carry.
 * The last answer is kept: the records of one activity batch, and the fields of one
 * answer, mostly share an instant, and a Date plus its formatting per record was 4.5%
 * of the activity path's main thread.
 */
export function toIsoTimestamp(epochMs: number): string {
  if (epochMs !== lastEpochMs) {
    lastIso = new Date(epochMs).toISOString();
    lastEpochMs = epochMs;
  }
  return lastIso;
}

/** Token expiries are whole seconds (JWT `exp`); every expiry we report is rounded down to match. */
export function toWholeSecond(epochMs: number): number {
  return Math.floor(epochMs / 1000) * 1000;
}
