import { ReplayPlan, ReplayProgress, ReplayRequest } from '@waymark/replay';

/** Nest injection token for the mode's replay operations. */
export const REPLAY_OPERATIONS = Symbol('REPLAY_OPERATIONS');

/**
 * What the replay endpoints need, whatever the mode: embedded replays run in the
 * service beside its projector (ReplayRunner); distributed ones read Kafka beside the
 * projector processes (KafkaReplay), with their state in ClickHouse so that any API
 * instance can follow, cancel or resume a run another one started.
 */
export interface ReplayOperations {
  plan(request: ReplayRequest): Promise<{ plan: ReplayPlan; description: string }>;
  /** Starts a run in the background; refused (ReplayConflictError) while one is unfinished. */
  start(request: ReplayRequest): Promise<{ id: string; plan: ReplayPlan; description: string; progress: ReplayProgress | undefined }>;
  progress(id: string): Promise<ReplayProgress | undefined>;
  cancel(id: string): Promise<boolean>;
  /** Resumes an interrupted run in the background; throws with the reason it cannot. */
  resume(id: string): Promise<ReplayProgress | undefined>;
}
