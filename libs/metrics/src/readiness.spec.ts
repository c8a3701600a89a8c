import { logWriteReasons, projectorReasons } from './readiness';

const thresholds = { maxLagEvents: 1000, projectorMaxFailures: 5, projectorStallSeconds: 60 };
const now = Date.parse('2026-12-03T10:00:00Z');
const projector = (consecutiveFailures: number, idleSeconds: number, isRunning = true) => ({
  isRunning,
  health: { consecutiveFailures, lastError: consecutiveFailures > 0 ? 'connect ECONNREFUSED' : undefined, lastProgressAt: now - idleSeconds * 1000 },
});
const codes = (reasons: Array<{ code: string }>) => reasons.map((reason) => reason.code);

describe('projectorReasons', () => {
  it('is silent for a healthy projector, and for an idle one with nothing to do', () => {
    expect(projectorReasons(projector(4, 10), 20, thresholds, now)).toEqual([]);
    expect(projectorReasons(projector(0, 3600), 0, thresholds, now)).toEqual([]);
  });

  it('names each way the projector is not doing its job', () => {
    expect(codes(projectorReasons(projector(5, 10), 20, thresholds, now))).toEqual(['projector_failing']);
    expect(codes(projectorReasons(projector(0, 60), 1, thresholds, now))).toEqual(['projector_stalled']);
    expect(codes(projectorReasons(projector(0, 1), 1001, thresholds, now))).toEqual(['projector_lag_high']);
    expect(codes(projectorReasons(projector(9, 120, false), 5000, thresholds, now))).toEqual(['projector_not_running']);
    expect(projectorReasons(projector(7, 90), 1001, thresholds, now)).toEqual([
      { code: 'projector_failing', detail: 'the last 7 projection attempts failed (threshold 5): connect ECONNREFUSED' },
      { code: 'projector_stalled', detail: 'no batch committed for 90 s while 1001 events wait (threshold 60 s)' },
      { code: 'projector_lag_high', detail: '1001 events not projected yet (threshold 1000)' },
    ]);
  });

  it('without a lag (the log unreachable) judges only failures', () => {
    expect(codes(projectorReasons(projector(0, 3600), undefined, thresholds, now))).toEqual([]);
    expect(codes(projectorReasons(projector(5, 3600), undefined, thresholds, now))).toEqual(['projector_failing']);
  });
});

describe('logWriteReasons', () => {
  it('reports failing writes with since when and why, and nothing otherwise', () => {
    expect(logWriteReasons(undefined, now)).toEqual([]);
    expect(logWriteReasons({ failing: false, consecutiveFailures: 0 }, now)).toEqual([]);
    expect(logWriteReasons({ failing: true, consecutiveFailures: 3, failingSince: now - 5000, lastError: 'database or disk is full' }, now)).toEqual([
      { code: 'log_writes_failing', detail: 'the last 3 writes to the event log failed for 5 s (since 2026-12-03T09:59:55.000Z): database or disk is full' },
    ]);
  });
});
