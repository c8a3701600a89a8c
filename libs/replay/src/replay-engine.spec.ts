import { KafkaReplayRecord } from './kafka-replay-journal';
import { kafkaReplayProgress, kafkaReplayRun } from './kafka-replay';
import { ProgressListeners, ReplayConflictError, ReplayRun, finishedAtOf, progressOf } from './replay-engine';

const T0 = Date.UTC(2026, 11, 1);

const run = (changes: Partial<ReplayRun> = {}): ReplayRun => ({
  id: 'r1',
  status: 'running',
  phase: 'replaying',
  request: { start: { kind: 'beginning' } },
  processed: 3_000,
  total: 10_000,
  replayed: 2_990,
  skipped: 10,
  refused: 4,
  reached: '3000',
  error: undefined,
  startedAt: T0,
  updatedAt: T0 + 2_000,
  finishedAt: undefined,
  attempt: { startedAt: T0, processedAtStart: 1_000 },
  ...changes,
});

describe('progressOf', () => {
  it('answers exactly the fields of the replay API, the rate measured from the attempt (not the run) and the time left at it', () => {
    const progress = progressOf(run(), T0 + 4_000);
    expect(Object.keys(progress).sort()).toEqual(
      ['id', 'status', 'phase', 'processed', 'total', 'skipped', 'refused', 'eventsPerSecond', 'etaSeconds', 'reached', 'error'].sort(),
    );
    // 2,000 events in 4 s since the attempt began; 7,000 left.
    expect(progress).toEqual({
      id: 'r1',
      status: 'running',
      phase: 'replaying',
      processed: 3_000,
      total: 10_000,
      skipped: 10,
      refused: 4,
      eventsPerSecond: 500,
      etaSeconds: 14,
      reached: '3000',
      error: undefined,
    });
  });

  it('has no rate without an attempt in hand, nor once the run stopped, nor at its first instant', () => {
    expect(progressOf(run({ attempt: undefined }), T0 + 4_000)).toMatchObject({ eventsPerSecond: 0, etaSeconds: undefined });
    expect(progressOf(run({ status: 'interrupted' }), T0 + 4_000)).toMatchObject({ status: 'interrupted', eventsPerSecond: 0, etaSeconds: undefined });
    expect(progressOf(run(), T0)).toMatchObject({ eventsPerSecond: 0, etaSeconds: undefined });
  });

  it('rounds the rate, rounds the time left up, and never counts a run past its total as time left', () => {
    expect(progressOf(run({ processed: 1_001 }), T0 + 3_000)).toMatchObject({ eventsPerSecond: 0, etaSeconds: 26_997 });
    expect(progressOf(run({ processed: 12_000 }), T0 + 1_000)).toMatchObject({ eventsPerSecond: 11_000, etaSeconds: 0 });
  });
});

describe('finishedAtOf', () => {
  it('is the last save of a run that ended, and undefined while it runs', () => {
    expect(finishedAtOf('running', T0)).toBeUndefined();
    for (const status of ['completed', 'interrupted', 'failed'] as const) expect(finishedAtOf(status, T0)).toBe(T0);
  });
});

describe('ProgressListeners', () => {
  it('tells every listener, goes on past one that throws, and forgets one that unsubscribed', () => {
    const listeners = new ProgressListeners();
    const seen: string[] = [];
    listeners.add(() => {
      throw new Error('broken listener');
    });
    const stop = listeners.add((r) => seen.push(`a:${r.processed}`));
    listeners.add((r) => seen.push(`b:${r.processed}`));
    listeners.emit(run({ processed: 1 }));
    stop();
    listeners.emit(run({ processed: 2 }));
    expect(seen).toEqual(['a:1', 'b:1', 'b:2']);
  });
});

describe('ReplayConflictError', () => {
  it('names the unfinished run and what to do', () => {
    expect(new ReplayConflictError({ id: 'r0', status: 'interrupted' }).message).toBe('replay r0 is interrupted; resume or finish it first');
  });
});

describe('kafkaReplayRun', () => {
  const record: KafkaReplayRecord = {
    id: 'k1',
    createdAt: T0,
    updatedAt: T0 + 9_000,
    status: 'running',
    request: { start: { kind: 'beginning' }, product: 'p' },
    phase: 'catching-up',
    attempt: 2,
    next: { '0': '120', '1': '80' },
    processed: 500,
    replayed: 300,
    skipped: 5,
    planned: 900,
    runStartedAt: T0 + 5_000,
    processedAtRunStart: 100,
    error: undefined,
  };

  it('maps the journal record onto the run: planned is the total, offsets are the position reached, the current attempt gives the rate', () => {
    expect(kafkaReplayRun(record)).toEqual({
      id: 'k1',
      status: 'running',
      phase: 'catching-up',
      request: record.request,
      processed: 500,
      total: 900,
      replayed: 300,
      skipped: 5,
      // A record saved before `refused` was counted reads 0.
      refused: 0,
      reached: '0:120,1:80',
      error: undefined,
      startedAt: T0,
      updatedAt: T0 + 9_000,
      finishedAt: undefined,
      attempt: { startedAt: T0 + 5_000, processedAtStart: 100 },
    });
    expect(kafkaReplayProgress(record, T0 + 9_000)).toMatchObject({ eventsPerSecond: 100, etaSeconds: 4, replayed: 300, total: 900 });
  });

  it('has no attempt in hand once the run stopped, and ends at its last save', () => {
    expect(kafkaReplayRun({ ...record, status: 'failed', error: 'boom', refused: 2 })).toMatchObject({
      attempt: undefined,
      finishedAt: T0 + 9_000,
      refused: 2,
      error: 'boom',
    });
  });
});
