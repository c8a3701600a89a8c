import { RetentionSnapshot } from '@waymark/metrics';
import { describeHold } from '@waymark/event-log';
import { RetentionPass } from './retention-job';

/** A pass as /metrics and /health/ready show it (read-model removals: rows of `events`). */
export function retentionSnapshot(pass: RetentionPass | undefined): RetentionSnapshot | undefined {
  if (!pass) return undefined;
  const removed: RetentionSnapshot['removed'] = {};
  const oldestKept: RetentionSnapshot['oldestKept'] = {};
  if (pass.readModel) {
    removed.read_model = pass.readModel.removed.events ?? 0;
    if (pass.readModel.oldestKept !== undefined) oldestKept.read_model = pass.readModel.oldestKept;
  }
  if (pass.log) {
    removed.event_log = pass.log.removed;
    if (pass.log.oldestKept !== undefined) oldestKept.event_log = pass.log.oldestKept;
  }
  return {
    finishedAt: pass.finishedAt,
    removed,
    oldestKept,
    ...(pass.log?.heldBy ? { heldBy: describeHold(pass.log.heldBy) } : {}),
    ...(pass.error === undefined ? {} : { error: pass.error }),
  };
}
