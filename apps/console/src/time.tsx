/**
 * Time range and time zone, shared by every page through the URL: `range` is a preset
 * (24h, 7d, 30d, 90d) or `custom` with `from`/`to` dates read by the API in `tz`.
 */
import { Route } from './route';

export const PRESETS: Record<string, { label: string; ms: number }> = {
  '24h': { label: 'Last 24 hours', ms: 86_400_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000 },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000 },
  '90d': { label: 'Last 90 days', ms: 90 * 86_400_000 },
};

export interface TimeParams {
  from: string;
  to: string;
  tz: string;
}

/** The range to ask for; presets end at the current minute so repeated asks share a URL. */
export function timeParams(route: Route): TimeParams {
  const tz = route.params.tz || 'UTC';
  if (route.params.from && route.params.to) return { from: route.params.from, to: route.params.to, tz };
  const preset = PRESETS[route.params.range ?? '7d'] ?? PRESETS['7d'];
  const to = Math.ceil(Date.now() / 60_000) * 60_000;
  return { from: new Date(to - preset.ms).toISOString(), to: new Date(to).toISOString(), tz };
}

/** The period of the same length just before, for "change against the previous period". */
export function previousPeriod(range: TimeParams): TimeParams {
  const from = instantOf(range.from, range.tz);
  const to = instantOf(range.to, range.tz, true);
  return { from: new Date(from - (to - from)).toISOString(), to: new Date(from).toISOString(), tz: range.tz };
}

/** A date (`2026-11-20`) at midnight in `tz`; `end` takes the day after, as the API reads a date `to`. */
function instantOf(value: string, tz: string, end = false): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(value);
  const utcMidnight = Date.parse(`${value}T00:00:00Z`) + (end ? 86_400_000 : 0);
  return utcMidnight - offsetMs(utcMidnight, tz);
}

function offsetMs(at: number, tz: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(at / 1000) * 1000;
}

export function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...zones.filter((zone) => zone !== 'UTC')];
}

/** Intl formatters are costly to build (a journey formats thousands of times): one per zone and shape. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string, shape: 'time' | 'hour' | 'day'): Intl.DateTimeFormat {
  const key = `${tz}|${shape}`;
  let found = formatters.get(key);
  if (!found) {
    const options: Intl.DateTimeFormatOptions =
      shape === 'time'
        ? { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
        : shape === 'hour'
          ? { month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
          : { month: 'short', day: '2-digit' };
    found = new Intl.DateTimeFormat('en-GB', { timeZone: tz, ...options });
    formatters.set(key, found);
  }
  return found;
}

export function formatTime(iso: string | null | undefined, tz: string): string {
  if (!iso) return '—';
  return formatter(tz, 'time').format(Date.parse(iso));
}

export function formatBucket(iso: string, tz: string, hourly: boolean): string {
  return formatter(tz, hourly ? 'hour' : 'day').format(Date.parse(iso));
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const numbers = new Intl.NumberFormat('en-US');
export const formatNumber = (value: number | null | undefined) => (value === null || value === undefined ? '—' : numbers.format(value));
export const formatPct = (ratio: number | null | undefined) => (ratio === null || ratio === undefined ? '—' : `${(ratio * 100).toFixed(1)}%`);
