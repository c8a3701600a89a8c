import { ReplayPlan, ReplayRequest } from './replay-plan';

export type ReplayStatus = 'running' | 'interrupted' | 'completed' | 'failed';

/** Embedded runs: copying, replaying, handing-over, done. Runs from Kafka: replaying, swapping, catching-up, done. */
export type ReplayPhase = 'copying' | 'replaying' | 'handing-over' | 'swapping' | 'catching-up' | 'done';

/**
 * A replay run as every engine reports it, whatever it keeps in its own journal to
 * resume (the embedded log's positions, or Kafka's offsets per partition).
 */
export interface ReplayRun {
  id: string;
  status: ReplayStatus;
  phase: ReplayPhase;
  request: ReplayRequest;
  /** Records read so far (every attempt). Kafka: every record scanned, in scope or not. */
  processed: number;
  /** Events in scope when planned (Kafka: records the current phase's scans planned); a run also takes those that arrive meanwhile. */
  total: number;
  /** Events written into the read model. */
  replayed: number;
  /** Records left out: envelopes no projection can read, events of erased users, and events ClickHouse refused. */
  skipped: number;
  /** Of `skipped`, the events ClickHouse refused (each logged with its reason; the live projectors dead-letter them). */
  refused: number;
  /** The last position written (Kafka: the next offset per partition, `<partition>:<offset>,…`). */
  reached: string | undefined;
  error: string | undefined;
  startedAt: number;
  updatedAt: number;
  /** When the run ended (completed, interrupted or failed); undefined while it runs. */
  finishedAt: number | undefined;
  /** The attempt a process is driving now (the first run or a resume): what its rate is measured from. Undefined when none is. */
  attempt: { startedAt: number; processedAtStart: number } | undefined;
}

/** A run's progress as the replay API answers it and the CLI draws it. */
export interface ReplayProgress {
  id: string;
  status: ReplayStatus;
  phase: ReplayPhase;
  processed: number;
  /** Events in scope when planned; the replay also takes those that arrive meanwhile. */
  total: number;
  /** Records left out: envelopes no projection can read, events of erased users, and events ClickHouse refused. */
  skipped: number;
  /** Of `skipped`, the events ClickHouse refused. */
  refused: number;
  eventsPerSecond: number;
  etaSeconds: number | undefined;
  reached: string | undefined;
  error: string | undefined;
}

/** What a replay would do (a dry run). */
export interface PlannedReplay {
  plan: ReplayPlan;
  /** The plan in a sentence, as the CLI prints it and the API answers it. */
  description: string;
}

/** A run just started: its plan and its first state. */
export interface StartedReplay extends PlannedReplay {
  run: ReplayRun;
}

/** Refused start: another replay is unfinished (only one may own the shadow tables). */
export class ReplayConflictError extends Error {
  constructor(readonly unfinished: { id: string; status: ReplayStatus }) {
    super(`replay ${unfinished.id} is ${unfinished.status}; resume or finish it first`);
    this.name = 'ReplayConflictError';
  }
}

/** Refused request: the engine cannot read from the start asked (a Kafka position that names no partition and offset, …). */
export class ReplayRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayRequestError';
  }
}

/**
 * The replay port: rebuilds the read model from the event log into shadow tables and
 * swaps them in. Two adapters implement it: `EmbeddedReplayEngine` (the SQLite log and
 * chDB, handing over from the service's own projector) and `KafkaReplayEngine` (the
 * Kafka topic and the ClickHouse server, beside the projector processes). The API's
 * replay endpoints and `waymark replay` use only this.
 */
export interface ReplayEngine {
  /** Which log the engine reads: the embedded log's positions are numbers, Kafka's name partitions and offsets. */
  readonly kind: 'embedded' | 'kafka';
  /** What a replay of `request` would read, changing nothing; ReplayRequestError for a request the engine cannot take. */
  plan(request: ReplayRequest): Promise<PlannedReplay>;
  /** Starts a run in the background; refused (ReplayConflictError) while another is unfinished. */
  start(request: ReplayRequest): Promise<StartedReplay>;
  /** Continues an interrupted (or failed, where the engine allows it) run in the background; throws with the reason it cannot. */
  resume(id: string): Promise<ReplayRun>;
  /** Asks the run to stop after its batch in hand (resumable); false when it is not running or can no longer stop. */
  cancel(id: string): Promise<boolean>;
  /** The run's state; undefined when there is no such run. */
  status(id: string): Promise<ReplayRun | undefined>;
  /** The latest runs, newest first. */
  list(limit?: number): Promise<ReplayRun[]>;
  /** Resolves when the attempt this process drives ends (at once when it drives none), with the run's state then. */
  wait(id: string): Promise<ReplayRun | undefined>;
  /** Calls `listener` with a run's state each time it saves it (every batch, every phase); returns the unsubscribe. */
  onProgress(listener: (run: ReplayRun) => void): () => void;
  /** Interrupts the attempts this process drives (they stay resumable) and waits for them to stop. */
  shutdown(): Promise<void>;
}

/** A run's progress at `now`: its rate since the current attempt began, and the time left at that rate. */
export function progressOf(run: ReplayRun, now: number): ReplayProgress {
  const seconds = run.attempt ? (now - run.attempt.startedAt) / 1000 : 0;
  const rate = run.attempt && run.status === 'running' && seconds > 0 ? (run.processed - run.attempt.processedAtStart) / seconds : 0;
  const remaining = Math.max(0, run.total - run.processed);
  return {
    id: run.id,
    status: run.status,
    phase: run.phase,
    processed: run.processed,
    total: run.total,
    skipped: run.skipped,
    refused: run.refused,
    eventsPerSecond: Math.round(rate),
    etaSeconds: rate > 0 ? Math.ceil(remaining / rate) : undefined,
    reached: run.reached,
    error: run.error,
  };
}

/** When a run with this status, last saved at `updatedAt`, ended. */
export const finishedAtOf = (status: ReplayStatus, updatedAt: number): number | undefined => (status === 'running' ? undefined : updatedAt);

/** The listeners of an engine's progress events (one throwing listener does not stop the others or the run). */
export class ProgressListeners {
  private readonly listeners = new Set<(run: ReplayRun) => void>();

  add(listener: (run: ReplayRun) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(run: ReplayRun): void {
    for (const listener of this.listeners) {
      try {
        listener(run);
      } catch {
        // A listener's failure is its own: the run goes on.
      }
    }
  }
}

/** Nest injection token for the mode's replay engine. */
export const REPLAY_ENGINE = Symbol('REPLAY_ENGINE');
