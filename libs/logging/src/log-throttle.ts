/** How long a key stays quiet after its first line, and how many keys are tracked at once. */
export interface LogThrottleOptions {
  intervalMs: number;
  /**
   * Keys tracked at once. Past it a new key is logged in full and not tracked, so
   * messages that differ every time (ids in them) cannot grow the map without bound.
   */
  maxKeys?: number;
}

/** Writes the one line summing up an interval: how many times the key recurred in it. */
export type SummaryWriter = (repeated: number, intervalMs: number) => void;

interface Window {
  suppressed: number;
  summary: SummaryWriter;
  timer: NodeJS.Timeout;
}

/**
 * Keeps an error that recurs on every request (disk full, ClickHouse down) from writing
 * a full stack per request: the first occurrence of a key is written in full, later ones
 * within the interval are only counted, and at the end of each interval in which the
 * key recurred one summary line says how often (`repeated: N`). An interval without a
 * recurrence forgets the key, so the next occurrence is written in full again.
 *
 * The summary comes from a timer rather than from the next occurrence, so the count of
 * the last interval is written even when the failures stop. Timers are unref'd: a
 * pending summary never keeps a process alive.
 */
export class LogThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly maxKeys: number;

  constructor(private readonly options: LogThrottleOptions) {
    this.maxKeys = options.maxKeys ?? 1000;
  }

  /**
   * Writes `full` now when `key` is new (or the map is full), else counts the
   * occurrence; `summary` (the latest one given) writes the interval's count later.
   */
  record(key: string, full: () => void, summary: SummaryWriter): void {
    const window = this.windows.get(key);
    if (window) {
      window.suppressed += 1;
      window.summary = summary;
      return;
    }
    full();
    if (this.windows.size >= this.maxKeys) return;
    this.windows.set(key, { suppressed: 0, summary, timer: this.schedule(key) });
  }

  /** Writes the pending summaries now and forgets every key (at shutdown). */
  flush(): void {
    for (const [key, window] of this.windows) {
      clearTimeout(window.timer);
      if (window.suppressed > 0) window.summary(window.suppressed, this.options.intervalMs);
      this.windows.delete(key);
    }
  }

  private schedule(key: string): NodeJS.Timeout {
    const timer = setTimeout(() => this.endInterval(key), this.options.intervalMs);
    timer.unref();
    return timer;
  }

  private endInterval(key: string): void {
    const window = this.windows.get(key);
    if (!window) return;
    if (window.suppressed === 0) {
      this.windows.delete(key);
      return;
    }
    window.summary(window.suppressed, this.options.intervalMs);
    window.suppressed = 0;
    window.timer = this.schedule(key);
  }
}

/** The interval repeated warnings and errors are summed up over, process-wide. */
export const LOG_REPEAT_INTERVAL_MS = 60_000;
