/** The current time in Unix milliseconds; injected so decisions are reproducible in tests. */
export type Clock = () => number;

export const systemClock: Clock = Date.now;

/** ISO-8601 in UTC with millisecond precision, the one timestamp format events carry. */
export function toIsoTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
