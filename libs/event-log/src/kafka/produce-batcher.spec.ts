import { ProduceBatcher } from './produce-batcher';

/** A send function that records its batches and lets the test decide when each one completes. */
function recordingSend() {
  const batches: string[][] = [];
  const pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send = (items: string[]) => {
    batches.push(items);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return new Promise<void>((resolve, reject) => {
      pending.push({
        resolve: () => {
          inFlight -= 1;
          resolve();
        },
        reject: (error) => {
          inFlight -= 1;
          reject(error);
        },
      });
    });
  };
  return { send, batches, pending, maxInFlight: () => maxInFlight };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
const settled = async <T>(promise: Promise<T>) =>
  promise.then(
    () => 'resolved',
    (error: Error) => `rejected: ${error.message}`,
  );

describe('ProduceBatcher', () => {
  const size = (item: string) => item.length;

  it('coalesces appends made within the linger into one send, in call order', async () => {
    const sender = recordingSend();
    const batcher = new ProduceBatcher(sender.send, size, { lingerMs: 2, maxBatchRecords: 100, maxBatchBytes: 10_000 });

    const appends = [batcher.add(['a1', 'a2']), batcher.add(['b1']), batcher.add(['c1', 'c2'])];
    await tick();
    expect(sender.batches).toEqual([['a1', 'a2', 'b1', 'c1', 'c2']]);
    sender.pending[0].resolve();
    await Promise.all(appends);
    expect(batcher.stats).toEqual({ adds: 3, sends: 1, items: 5 });
  });

  it('gathers what arrives during a send into the next one, never two sends at once', async () => {
    const sender = recordingSend();
    const batcher = new ProduceBatcher(sender.send, size, { lingerMs: 0, maxBatchRecords: 100, maxBatchBytes: 10_000 });

    const first = batcher.add(['a']);
    await tick();
    const later = [batcher.add(['b']), batcher.add(['c'])];
    await tick();
    expect(sender.batches).toEqual([['a']]);
    sender.pending[0].resolve();
    await first;
    await tick();
    expect(sender.batches).toEqual([['a'], ['b', 'c']]);
    sender.pending[1].resolve();
    await Promise.all(later);
    expect(sender.maxInFlight()).toBe(1);
  });

  it('closes a batch at maxBatchRecords without waiting for the linger, and keeps the order across batches', async () => {
    const sender = recordingSend();
    const batcher = new ProduceBatcher(sender.send, size, { lingerMs: 60_000, maxBatchRecords: 3, maxBatchBytes: 10_000 });

    const append = batcher.add(['1', '2', '3', '4', '5', '6', '7']);
    await tick();
    sender.pending[0].resolve();
    await tick();
    sender.pending[1].resolve();
    await tick();
    // The last, partial batch waits for its linger (a minute here) ...
    expect(sender.batches).toHaveLength(2);
    // ... unless flushed.
    const flushed = batcher.flush();
    await tick();
    sender.pending[2].resolve();
    await flushed;
    await append;
    expect(sender.batches).toEqual([['1', '2', '3'], ['4', '5', '6'], ['7']]);
  });

  it('closes a batch at maxBatchBytes and sends an oversized item on its own', async () => {
    const sender = recordingSend();
    const batcher = new ProduceBatcher(sender.send, size, { lingerMs: 0, maxBatchRecords: 100, maxBatchBytes: 10 });

    const append = batcher.add(['aaaa', 'bbbb', 'cccc', 'dddddddddddddddd', 'ee']);
    for (let i = 0; i < 4; i += 1) {
      await tick();
      sender.pending[i].resolve();
    }
    await append;
    expect(sender.batches).toEqual([['aaaa', 'bbbb'], ['cccc'], ['dddddddddddddddd'], ['ee']]);
  });

  it('rejects every append in a failed send, drops their unsent items, and carries on with the others', async () => {
    const sender = recordingSend();
    const batcher = new ProduceBatcher(sender.send, size, { lingerMs: 0, maxBatchRecords: 2, maxBatchBytes: 10_000 });

    const a = settled(batcher.add(['a1']));
    const b = settled(batcher.add(['b1', 'b2', 'b3']));
    const c = settled(batcher.add(['c1']));
    await tick();
    expect(sender.batches).toEqual([['a1', 'b1']]);
    sender.pending[0].reject(new Error('broker gone'));
    await tick();
    // b2 and b3 are not sent after b1 failed; c goes on.
    expect(sender.batches).toEqual([['a1', 'b1'], ['c1']]);
    sender.pending[1].resolve();

    expect(await a).toBe('rejected: broker gone');
    expect(await b).toBe('rejected: broker gone');
    expect(await c).toBe('resolved');
  });

  it('flush sends what is queued at once and resolves when nothing is in flight', async () => {
    const sender = recordingSend();
    const batcher = new ProduceBatcher(
      async (items: string[]) => {
        sender.batches.push(items);
      },
      size,
      { lingerMs: 60_000, maxBatchRecords: 100, maxBatchBytes: 10_000 },
    );
    const append = batcher.add(['x', 'y']);
    await batcher.flush();
    await append;
    expect(sender.batches).toEqual([['x', 'y']]);
    await batcher.flush();
    await expect(batcher.add([])).resolves.toBeUndefined();
    expect(batcher.stats).toEqual({ adds: 1, sends: 1, items: 2 });
  });
});
