/**
 * Why an instance is not ready, as stable codes for alerts and runbooks
 * (docs/operations.md, "Readiness reasons"). Each has one gauge series,
 * `waymark_not_ready_reason{reason}`, so a dashboard can tell them apart.
 */
export const NOT_READY_CODES = [
  'event_log_unreachable',
  'log_writes_failing',
  'log_behind_read_model',
  'clickhouse_unreachable',
  'redis_unreachable',
  'projector_not_running',
  'projector_failing',
  'projector_stalled',
  'projector_lag_high',
  // Shutdown has begun (SIGTERM): the only reason given then, so load balancers stop routing here.
  'shutting_down',
] as const;

export type NotReadyCode = (typeof NOT_READY_CODES)[number];

export interface NotReadyReason {
  code: NotReadyCode;
  detail: string;
}

export interface ReadinessThresholds {
  /** Not ready above this lag (READY_MAX_LAG_EVENTS). */
  maxLagEvents: number;
  /** Not ready once the projector's last this many attempts failed (READY_PROJECTOR_MAX_FAILURES). */
  projectorMaxFailures: number;
  /** Not ready when no batch was committed for this long while events wait (READY_PROJECTOR_STALL_SECONDS). */
  projectorStallSeconds: number;
}

/** What readiness reads of a projector (Projector.isRunning and Projector.health). */
export interface ProjectorView {
  isRunning: boolean;
  health: { consecutiveFailures: number; lastError?: string; lastProgressAt: number };
}

/**
 * The projector's reasons. `lag` is undefined when the log could not say (that is
 * reported as `event_log_unreachable` by the caller); then only the failure count and
 * whether the loop runs are judged.
 */
export function projectorReasons(projector: ProjectorView, lag: number | undefined, thresholds: ReadinessThresholds, now = Date.now()): NotReadyReason[] {
  if (!projector.isRunning) return [{ code: 'projector_not_running', detail: 'the projector loop is not running' }];
  const reasons: NotReadyReason[] = [];
  const { consecutiveFailures, lastError, lastProgressAt } = projector.health;
  if (consecutiveFailures >= thresholds.projectorMaxFailures) {
    reasons.push({
      code: 'projector_failing',
      detail: `the last ${consecutiveFailures} projection attempts failed (threshold ${thresholds.projectorMaxFailures}): ${lastError ?? 'no message'}`,
    });
  }
  const idleSeconds = Math.floor((now - lastProgressAt) / 1000);
  if (lag !== undefined && lag > 0 && idleSeconds >= thresholds.projectorStallSeconds) {
    reasons.push({
      code: 'projector_stalled',
      detail: `no batch committed for ${idleSeconds} s while ${lag} events wait (threshold ${thresholds.projectorStallSeconds} s)`,
    });
  }
  if (lag !== undefined && lag > thresholds.maxLagEvents) {
    reasons.push({ code: 'projector_lag_high', detail: `${lag} events not projected yet (threshold ${thresholds.maxLagEvents})` });
  }
  return reasons;
}

/** What readiness reads of a log's writes (WriteFailureState.snapshot). */
export interface WriteFailureView {
  failing: boolean;
  consecutiveFailures: number;
  failingSince?: number;
  lastError?: string;
}

export function logWriteReasons(writes: WriteFailureView | undefined, now = Date.now()): NotReadyReason[] {
  if (!writes?.failing) return [];
  const since =
    writes.failingSince === undefined ? '' : ` for ${Math.floor((now - writes.failingSince) / 1000)} s (since ${new Date(writes.failingSince).toISOString()})`;
  return [
    {
      code: 'log_writes_failing',
      detail: `the last ${writes.consecutiveFailures} writes to the event log failed${since}: ${writes.lastError ?? 'no message'}`,
    },
  ];
}
