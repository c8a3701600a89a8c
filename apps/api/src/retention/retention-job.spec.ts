import { SqliteLogPruner } from '@waymark/event-log';
import { ReadModelRetention } from './read-model-retention';
import { RetentionJob } from './retention-job';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 3, 12);
const bound = { upTo: 9, limit: undefined };

function fakes(readModelFails = false) {
  const calls: string[] = [];
  const readModel = {
    prune: jest.fn(async () => {
      calls.push('read model');
      if (readModelFails) throw new Error('ClickHouse went away');
      return { removed: { events: 3 }, oldestKept: NOW - DAY };
    }),
  } as unknown as ReadModelRetention;
  const log = {
    readBound: jest.fn(() => {
      calls.push('log bound');
      return bound;
    }),
    prune: jest.fn(async () => {
      calls.push('log');
      return { removed: 3, upTo: 9, heldBy: undefined, held: 0, oldestKept: NOW - DAY, batches: 1, longestBatchMs: 1 };
    }),
  } as unknown as SqliteLogPruner;
  return { calls, readModel, log };
}

describe('RetentionJob', () => {
  it('reads the log bound first, prunes the read model, then the log up to that bound, with the cutoffs of the clock', async () => {
    const { calls, readModel, log } = fakes();
    const pass = await new RetentionJob([{ product: 'shop', days: 30, envs: {} }], readModel, log, () => NOW, silent).run();
    expect(calls).toEqual(['log bound', 'read model', 'log']);
    const cutoffs = [{ product: 'shop', exceptEnvs: [], days: 30, before: NOW - 30 * DAY }];
    expect(readModel.prune).toHaveBeenCalledWith(cutoffs);
    expect(log.prune).toHaveBeenCalledWith(cutoffs, bound);
    expect(pass).toMatchObject({ startedAt: NOW, error: undefined, log: { removed: 3 }, readModel: { removed: { events: 3 } } });
  });

  it('leaves the log alone when the read model step fails, and records why', async () => {
    const { calls, readModel, log } = fakes(true);
    const job = new RetentionJob([{ product: 'shop', days: 30, envs: {} }], readModel, log, () => NOW, silent);
    const pass = await job.run();
    expect(calls).toEqual(['log bound', 'read model']);
    expect(pass).toMatchObject({ error: 'ClickHouse went away', log: undefined });
    expect(job.last).toBe(pass);
  });

  it('shares one pass between callers asking at once', async () => {
    const { readModel, log } = fakes();
    const job = new RetentionJob([], readModel, log, () => NOW, silent);
    const [a, b] = await Promise.all([job.run(), job.run()]);
    expect(a).toBe(b);
    expect(readModel.prune).toHaveBeenCalledTimes(1);
  });
});
