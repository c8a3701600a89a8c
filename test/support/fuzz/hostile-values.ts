import { RawJson, deeplyNested } from './raw-json';

/**
 * Values that have broken services like this one before, whatever the schema says a
 * field holds: each is here because a layer behind the HTTP edge (SQLite, Kafka,
 * ClickHouse's column types, a recursive walk, Intl) has a narrower domain than "any
 * string" or "any JSON".
 */

/** Instants outside what the read model stores or at its edges (ClickHouse DateTime64: 1900–2299; DateTime: 1970–2106). */
export const EDGE_TIMESTAMPS = [
  '1800-01-01T00:00:00Z',
  '2300-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '1899-12-31T23:59:59.999Z',
  '1900-01-01T00:00:00Z',
  '1969-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  '2106-02-07T06:28:16Z',
  '2299-12-31T23:59:59.999Z',
  '2026-01-01T00:00:00+23:59',
  '2026-01-01T00:00:00.123456789Z',
];

/** Dates and date-like strings for `from`/`to`-style fields, which take a date or an instant. */
export const EDGE_DATES = [
  '1800-01-01',
  '2300-01-01',
  '0000-01-01',
  '1900-01-01',
  '2026-02-30',
  '2026-13-01',
  '+275760-09-13T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  'now',
  '1e12',
  '0',
];

/** IANA names Node knows and some tools do not (current names and their aliases), and non-names. */
export const TZ_NAMES = [
  'Asia/Kolkata',
  'Asia/Calcutta',
  'Europe/Kyiv',
  'Europe/Kiev',
  'Etc/UTC',
  'UTC',
  'Etc/GMT+12',
  'America/Argentina/ComodRivadavia',
  'Pacific/Kiritimati',
  'EST5EDT',
  'GMT+5',
  '+05:30',
  'Local',
  'Not/AZone',
  '../../etc/passwd',
];

/** Characters that identifiers, tags and names must not carry into logs and columns. */
export const CONTROL_AND_UNICODE = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\n',
  '\r\n',
  '\t',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u2028',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udfff',
  '𝕏',
  'e\u0301',
  '🏳️‍🌈',
  '\uffff',
];

/** Numbers at the edges of what JSON, JavaScript and the columns (UInt32, Float64) hold. */
export const EDGE_NUMBERS: unknown[] = [
  0,
  -0,
  -1,
  0.5,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  -(2 ** 53),
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  new RawJson('1e400', '1e400'),
  new RawJson('-1e400', '-1e400'),
  new RawJson('123456789012345678901234567890', '30-digit integer'),
];

/** Free-form JSON (a session's `data`, an activity's `properties`) at its worst. */
export const HOSTILE_JSON: unknown[] = [
  deeplyNested(10_000, 'object'),
  deeplyNested(10_000, 'array'),
  deeplyNested(100, 'object'),
  new RawJson('{"__proto__":{"polluted":true},"userId":"proto"}', '{__proto__ with a payload}'),
  new RawJson('{"constructor":{"prototype":{"polluted":true}},"userId":"ctor"}', '{constructor.prototype}'),
  new RawJson('{"userId":"a","userId":"b"}', '{duplicated key}'),
  new RawJson(`{${Array.from({ length: 5000 }, (_, i) => `"k${i}":${i}`).join(',')}}`, '{5,000 keys}'),
  { userId: 'x'.repeat(100_000) },
  { userId: '\u0000' },
  // A lone surrogate survives JSON.parse but not ClickHouse's string parser (CANNOT_PARSE_ESCAPE_SEQUENCE).
  { userId: 'lone-\udbff' },
  { userId: 'ok', nested: { '\ud800': '\udfff' } },
  { '': 1, ' ': 2, 'a.b': 3, '\u0000': 4 },
  [],
  null,
];

/** Long strings around the common column limits (64, 256 characters) and far beyond. */
export function lengthsAround(limit: number | undefined): string[] {
  const edges = [0, 1, 63, 64, 65, 255, 256, 257, 1024, 70_000];
  if (limit !== undefined) edges.push(limit - 1, limit, limit + 1);
  return [...new Set(edges.filter((n) => n >= 0))].map((n) => 'a'.repeat(n));
}
