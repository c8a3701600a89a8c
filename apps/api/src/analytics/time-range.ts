import { DomainError, MAX_OCCURRED_AT_MS, MIN_OCCURRED_AT_MS, isStorableInstant } from '@waymark/domain';
import { BUCKET_MS, BucketInterval, TimeRange } from '@waymark/read-model';

export const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Offset of `tz` from UTC at instant `epochMs`, in ms (e.g. +19_800_000 for Asia/Kolkata). */
export function zoneOffsetMs(epochMs: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(epochMs));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** The instant a calendar day starts in `tz` (`2026-11-20` in Asia/Kolkata → 2026-11-19T18:30:00Z). */
export function startOfZonedDay(date: string, tz: string): number {
  const wallClock = Date.parse(`${date}T00:00:00Z`);
  let instant = wallClock - zoneOffsetMs(wallClock, tz);
  // Once more at the found instant, in case a daylight-saving change lies in between.
  instant = wallClock - zoneOffsetMs(instant, tz);
  return instant;
}

/**
 * `from`/`to` as the API takes them: an ISO-8601 instant, or a calendar date in the
 * caller's time zone. A date `from` starts at that day's midnight; a date `to` includes
 * that whole day. Without them the range is the `defaultDays` up to now.
 */
export function resolveTimeRange(input: { from?: string; to?: string }, tz: string, now: number, defaultDays: number): TimeRange {
  const to = input.to === undefined ? now : DATE_ONLY.test(input.to) ? startOfZonedDay(nextDay(input.to), tz) : Date.parse(input.to);
  // A default range reaching back past what the read model stores starts where it starts.
  const from =
    input.from === undefined
      ? Math.max(to - defaultDays * 86_400_000, MIN_OCCURRED_AT_MS)
      : DATE_ONLY.test(input.from)
        ? startOfZonedDay(input.from, tz)
        : Date.parse(input.from);
  // The schemas check each bound as given; a date read in a zone can still fall just
  // outside (1970-01-01 in Asia/Kolkata starts in 1969), and ClickHouse fails on those.
  if (!isStorableInstant(from)) throw DomainError.forField('INVALID_REQUEST', 'from', `${STORABLE_BOUNDS} (in ${tz})`);
  if (!isStorableInstant(to)) throw DomainError.forField('INVALID_REQUEST', 'to', `${STORABLE_BOUNDS} (in ${tz})`);
  if (!(from < to)) throw DomainError.forField('INVALID_REQUEST', 'from', 'must be before to');
  return { from, to };
}

const STORABLE_BOUNDS = `must lie between ${new Date(MIN_OCCURRED_AT_MS).toISOString()} and ${new Date(MAX_OCCURRED_AT_MS).toISOString()}`;

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** Series answer at most this many buckets. */
export const MAX_BUCKETS = 1000;

/** Hours for ranges up to two days, days beyond; a range too long for hours is refused, naming `interval`. */
export function chooseInterval(range: TimeRange, requested: BucketInterval | undefined): BucketInterval {
  const interval = requested ?? (range.to - range.from <= 2 * 86_400_000 ? 'hour' : 'day');
  if ((range.to - range.from) / BUCKET_MS[interval] > MAX_BUCKETS) {
    throw DomainError.forField(
      'INVALID_REQUEST',
      'interval',
      `more than ${MAX_BUCKETS} ${interval} buckets in this range; use a longer interval or a shorter range`,
    );
  }
  return interval;
}
