import { CombinedWriteFailureState, WriteFailureState } from './write-failure-state';

describe('CombinedWriteFailureState', () => {
  it('fails while any part fails, with that part’s details, and recovers when all do', () => {
    const log = new WriteFailureState();
    const keys = new WriteFailureState();
    const combined = new CombinedWriteFailureState([log, keys]);
    expect(combined.snapshot).toEqual({ failing: false, consecutiveFailures: 0 });

    keys.recordFailure(new Error('SQLITE_FULL: database or disk is full'), 1000);
    expect(combined.snapshot).toEqual({ failing: true, consecutiveFailures: 1, failingSince: 1000, lastError: 'SQLITE_FULL: database or disk is full' });

    // A good commit of the log does not hide the key store's failure.
    log.recordSuccess();
    expect(combined.snapshot.failing).toBe(true);
    keys.recordSuccess();
    expect(combined.snapshot.failing).toBe(false);
  });
});
