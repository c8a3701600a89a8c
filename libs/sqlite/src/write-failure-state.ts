/** Whether writes to the log are failing now, since when, and why. */
export interface WriteFailureSnapshot {
  failing: boolean;
  /** Failed writes since the last one that succeeded. */
  consecutiveFailures: number;
  /** Unix ms of the first failure of the current run of failures. */
  failingSince?: number;
  lastError?: string;
}

/**
 * The failure state of a log's writes (the SQLite group commit, the Kafka producer):
 * set by a failed write, cleared by the next one that succeeds. Readiness reads it, so
 * a disk that refuses every write takes the instance out of rotation instead of
 * answering 503 to every request while /health/ready says 200.
 */
export class WriteFailureState {
  private state: WriteFailureSnapshot = { failing: false, consecutiveFailures: 0 };

  get snapshot(): WriteFailureSnapshot {
    return { ...this.state };
  }

  recordFailure(error: unknown, now = Date.now()): void {
    this.state = {
      failing: true,
      consecutiveFailures: this.state.consecutiveFailures + 1,
      failingSince: this.state.failingSince ?? now,
      lastError: error instanceof Error ? error.message : String(error),
    };
  }

  /** Clears the state; returns the run of failures it ended, if any (for a recovery log line). */
  recordSuccess(): WriteFailureSnapshot | undefined {
    if (!this.state.failing) return undefined;
    const ended = this.state;
    this.state = { failing: false, consecutiveFailures: 0 };
    return ended;
  }
}

/**
 * SQLite result codes that mean the store cannot write (disk full, I/O error, read-only
 * or vanished file, corruption, locked by another process past busy_timeout), as opposed
 * to a job refusing its own write (a constraint, a domain rule).
 */
export function isStorageFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|BUSY|LOCKED|NOMEM|PROTOCOL)/.test(code);
}

/**
 * The failure states of several stores that must all take writes for the log to (the
 * embedded log and the user-key store whose keys its events need), read as one: failing
 * while any of them is, with that one's details.
 */
export class CombinedWriteFailureState extends WriteFailureState {
  constructor(private readonly parts: readonly WriteFailureState[]) {
    super();
  }

  override get snapshot(): WriteFailureSnapshot {
    return this.parts.map((part) => part.snapshot).find((snapshot) => snapshot.failing) ?? { failing: false, consecutiveFailures: 0 };
  }
}
