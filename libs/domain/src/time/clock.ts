/** The current time in Unix milliseconds; injected so decisions are reproducible in tests. */
export type Clock = () => number;

export const systemClock: Clock = Date.now;

/** ISO-8601 in UTC with millisecond precision, the one timestamp format events carry. */
export function toIsoTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Token expiries are whole seconds (JWT `exp`); every expiry we report is rounded down to match. */
export function toWholeSecond(epochMs: number): number {
  return Math.floor(epochMs / 1000) * 1000;
}
