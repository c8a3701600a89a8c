import { chooseInterval, resolveTimeRange, startOfZonedDay, zoneOffsetMs } from './time-range';
import { isTimeZone } from './time-zones';

describe('analytics time ranges', () => {
  it('knows IANA zones and UTC, and nothing else', () => {
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone("UTC') OR 1=1 --")).toBe(false);
  });

  it('finds where a calendar day starts in a zone, across daylight saving', () => {
    expect(new Date(startOfZonedDay('2026-11-20', 'Asia/Kolkata')).toISOString()).toBe('2026-11-19T18:30:00.000Z');
    expect(new Date(startOfZonedDay('2026-07-01', 'America/New_York')).toISOString()).toBe('2026-07-01T04:00:00.000Z');
    expect(new Date(startOfZonedDay('2026-01-01', 'America/New_York')).toISOString()).toBe('2026-01-01T05:00:00.000Z');
    // Europe/Berlin switches to summer time at 02:00 on 2026-03-29: that day still starts at 23:00Z before.
    expect(new Date(startOfZonedDay('2026-03-29', 'Europe/Berlin')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(zoneOffsetMs(Date.UTC(2026, 5, 1), 'Asia/Kathmandu')).toBe(5.75 * 3_600_000);
  });

  it('reads dates in the zone (a date `to` includes its day) and instants as given', () => {
    const now = Date.UTC(2026, 10, 26, 12);
    expect(resolveTimeRange({ from: '2026-11-20', to: '2026-11-21' }, 'Asia/Kolkata', now, 7)).toEqual({
      from: Date.UTC(2026, 10, 19, 18, 30),
      to: Date.UTC(2026, 10, 21, 18, 30),
    });
    expect(resolveTimeRange({ from: '2026-11-20T10:00:00Z' }, 'Asia/Kolkata', now, 7)).toEqual({ from: Date.UTC(2026, 10, 20, 10), to: now });
    expect(resolveTimeRange({}, 'UTC', now, 7)).toEqual({ from: now - 7 * 86_400_000, to: now });
    expect(() => resolveTimeRange({ from: '2026-11-22', to: '2026-11-21' }, 'UTC', now, 7)).toThrow('must be before to');
  });

  it('refuses a bound outside what the read model stores, naming it, also when only the zone puts it there', () => {
    const now = Date.UTC(2026, 10, 26, 12);
    const fieldOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as { fieldErrors: Array<{ field: string }> }).fieldErrors[0].field;
      }
      return 'accepted';
    };
    expect(fieldOf(() => resolveTimeRange({ from: '1970-01-01' }, 'Asia/Kolkata', now, 7))).toBe('from');
    expect(fieldOf(() => resolveTimeRange({ from: '1970-01-01' }, 'America/New_York', now, 7))).toBe('accepted');
    expect(fieldOf(() => resolveTimeRange({ from: '2106-01-01', to: '2106-02-07' }, 'UTC', now, 7))).toBe('to');
    expect(fieldOf(() => resolveTimeRange({ from: '1969-12-31T23:59:59Z' }, 'UTC', now, 7))).toBe('from');
    // A default range is cut at the epoch rather than refused.
    expect(resolveTimeRange({ to: '1970-01-02T00:00:00Z' }, 'UTC', now, 36_500)).toEqual({ from: 0, to: 86_400_000 });
  });

  it('picks hours for short ranges and refuses more than 1000 buckets', () => {
    expect(chooseInterval({ from: 0, to: 2 * 86_400_000 }, undefined)).toBe('hour');
    expect(chooseInterval({ from: 0, to: 3 * 86_400_000 }, undefined)).toBe('day');
    expect(() => chooseInterval({ from: 0, to: 60 * 86_400_000 }, 'hour')).toThrow('more than 1000 hour buckets');
  });
});
