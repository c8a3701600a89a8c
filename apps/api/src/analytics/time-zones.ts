/**
 * The `tz` values the analytics accept: IANA names, canonical and alias alike
 * (`Asia/Kolkata` and `Asia/Calcutta`, `Europe/Kyiv`, `Etc/UTC`, `UTC`), that both this
 * runtime's Intl (which turns dates into instants) and the read model's ClickHouse (which
 * buckets by them) know. `Intl.supportedValuesOf` alone is not the answer: it lists one
 * canonical name per zone, often the old one (`Asia/Calcutta`), and no aliases.
 */

/** Whether this runtime's ICU resolves the name (it takes aliases and ignores case). */
export function intlKnowsZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * IANA's spelling: `Area/Location` segments of letters, digits, `_`, `+`, `-`, each
 * starting with a letter (`EST5EDT`, `Etc/GMT+5`, `America/Argentina/Buenos_Aires`).
 * Intl ignores case, ClickHouse does not; until ClickHouse's own list is known only the
 * spelling IANA uses, with an upper-case first letter, is taken.
 */
const IANA_SPELLING = /^[A-Z][A-Za-z0-9_+-]*(?:\/[A-Za-z][A-Za-z0-9_+-]*)*$/;

export class TimeZones {
  private constructor(
    private readonly names: ReadonlySet<string> | undefined,
    /** Where the accepted names came from, for the start-up log. */
    readonly source: 'clickhouse' | 'intl',
  ) {}

  /** Names ClickHouse listed (`system.time_zones`) that Intl also resolves. */
  static knownToBoth(clickhouseNames: Iterable<string>): TimeZones {
    return new TimeZones(new Set([...clickhouseNames].filter(intlKnowsZone)), 'clickhouse');
  }

  /** Before ClickHouse has answered, or when it cannot: whatever Intl resolves, spelled as IANA spells it. */
  static intlOnly(): TimeZones {
    return new TimeZones(undefined, 'intl');
  }

  get size(): number | undefined {
    return this.names?.size;
  }

  has(name: string): boolean {
    if (this.names) return this.names.has(name);
    return name.length <= 64 && IANA_SPELLING.test(name) && intlKnowsZone(name);
  }
}

/**
 * The names in force. A fact of the runtime and of the read model, the same for every
 * app in the process, and read by the query schemas, which are built once at import: so
 * one module-level value, set at start-up by TimeZoneCatalog.
 */
let current = TimeZones.intlOnly();

export function acceptedTimeZones(): TimeZones {
  return current;
}

export function useTimeZones(zones: TimeZones): void {
  current = zones;
}

export function isTimeZone(name: string): boolean {
  return current.has(name);
}
