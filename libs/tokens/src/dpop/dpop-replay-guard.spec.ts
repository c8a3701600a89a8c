import { MemoryDpopReplayGuard } from './dpop-replay-guard';

describe('MemoryDpopReplayGuard', () => {
  it('given a key claimed once, then it is replayed until its time is up, and claimable after', async () => {
    let now = 1_000;
    const guard = new MemoryDpopReplayGuard(() => now);
    expect(await guard.claim('a', 100)).toBe('claimed');
    expect(await guard.claim('a', 100)).toBe('replayed');
    now += 99;
    expect(await guard.claim('a', 100)).toBe('replayed');
    now += 1;
    expect(await guard.claim('a', 100)).toBe('claimed');
  });

  it('given entries past their time, then a later claim sweeps them out (memory stays bounded by the window)', async () => {
    let now = 0;
    const guard = new MemoryDpopReplayGuard(() => now);
    for (let i = 0; i < 50; i += 1) await guard.claim(`k${i}`, 10);
    expect(guard.size).toBe(50);
    now = 10;
    await guard.claim('fresh', 10);
    expect(guard.size).toBe(1);
  });

  it('given it is full of live entries, then it refuses new keys (full) rather than forget one that could be replayed', async () => {
    let now = 0;
    const guard = new MemoryDpopReplayGuard(() => now, 2);
    expect(await guard.claim('a', 100)).toBe('claimed');
    expect(await guard.claim('b', 100)).toBe('claimed');
    expect(await guard.claim('c', 100)).toBe('full');
    expect(await guard.claim('a', 100)).toBe('replayed');
    now = 100;
    expect(await guard.claim('c', 100)).toBe('claimed');
  });
});
