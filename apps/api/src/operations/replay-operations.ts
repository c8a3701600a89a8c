import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Clock, DomainError } from '@waymark/domain';
import { REPLAY_ENGINE, ReplayEngine, ReplayPlan, ReplayProgress, ReplayRequest, ReplayRequestError, progressOf } from '@waymark/replay';
import { CLOCK } from '../shared/domain.providers';

/** Nest injection token for the replay endpoints' operations. */
export const REPLAY_OPERATIONS = Symbol('REPLAY_OPERATIONS');

/** What the replay endpoints answer, whatever the mode (one implementation below, over the replay port). */
export interface ReplayOperations {
  plan(request: ReplayRequest): Promise<{ plan: ReplayPlan; description: string }>;
  /** Starts a run in the background; refused (ReplayConflictError) while one is unfinished. */
  start(request: ReplayRequest): Promise<{ id: string; plan: ReplayPlan; description: string; progress: ReplayProgress | undefined }>;
  progress(id: string): Promise<ReplayProgress | undefined>;
  cancel(id: string): Promise<boolean>;
  /** Resumes an interrupted run in the background; throws with the reason it cannot. */
  resume(id: string): Promise<ReplayProgress | undefined>;
}

/**
 * The replay endpoints over the mode's replay engine (the port of libs/replay): embedded
 * replays run in the service beside its projector; distributed ones read Kafka beside
 * the projector processes, with their state in ClickHouse so that any API instance can
 * follow, cancel or resume a run another one started.
 */
@Injectable()
export class EngineReplayOperations implements ReplayOperations, OnApplicationShutdown {
  constructor(
    @Inject(REPLAY_ENGINE) private readonly engine: ReplayEngine,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  plan(request: ReplayRequest): Promise<{ plan: ReplayPlan; description: string }> {
    return asRequestError(() => this.engine.plan(request));
  }

  async start(request: ReplayRequest) {
    const { run, plan, description } = await asRequestError(() => this.engine.start(request));
    return { id: run.id, plan, description, progress: progressOf(run, this.clock()) };
  }

  async progress(id: string): Promise<ReplayProgress | undefined> {
    const run = await this.engine.status(id);
    return run && progressOf(run, this.clock());
  }

  cancel(id: string): Promise<boolean> {
    return this.engine.cancel(id);
  }

  async resume(id: string): Promise<ReplayProgress | undefined> {
    return progressOf(await this.engine.resume(id), this.clock());
  }

  /** A closing instance interrupts the runs it drives (resumable) rather than leaving them `running`. */
  async onApplicationShutdown(): Promise<void> {
    await this.engine.shutdown();
  }
}

/**
 * An engine refuses a request it cannot take (a Kafka position that names no partition
 * and offset) with ReplayRequestError: that is the caller's mistake, answered 400 with
 * the field at fault, not a 500.
 */
async function asRequestError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ReplayRequestError) throw DomainError.forField('INVALID_REQUEST', 'from', error.message);
    throw error;
  }
}
