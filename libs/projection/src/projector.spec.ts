import { EventBatch, EventLogConsumer, LoggedRecord } from '@waymark/event-log';
import { EventsProjection } from './events.projection';
import { Projector, dedupTokenOf } from './projector';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const record = (position: string): LoggedRecord => ({ position, raw: '{}' });

/** Hands out the given batches once each, then empty ones. */
function consumerOf(batches: EventBatch[]): EventLogConsumer {
  return {
    nextBatch: async (_max, maxWaitMs) => {
      const next = batches.shift();
      if (next) return next;
      // An idle log waits, as the real consumers do (an instant answer would starve the timers).
      await new Promise((resolve) => setTimeout(resolve, maxWaitMs));
      return { records: [], dedupKey: '', commit: async () => undefined };
    },
    deadLetter: async () => undefined,
    close: async () => undefined,
  };
}

describe('Projector dedup tokens', () => {
  it('names a batch by the consumer\'s key, not by its first and last positions', async () => {
    // Two groupings of a cross-partition stream with the same first (0:5) and last (3:10)
    // positions: {0:5-9, 3:10} and {0:5-9, 1:0-4, 3:10}. With `<group>:<first>-<last>`
    // both would be `read-model:0:5-3:10`, and ClickHouse would drop the second insert.
    const narrow = ['0:5', '0:6', '0:7', '0:8', '0:9', '3:10'].map(record);
    const wide = ['0:5', '0:6', '0:7', '0:8', '0:9', '1:0', '1:1', '1:2', '1:3', '1:4', '3:10'].map(record);
    const batches: EventBatch[] = [
      { records: narrow, dedupKey: '0:5-9,3:10-10', commit: async () => undefined },
      { records: wide, dedupKey: '0:5-9,1:0-4,3:10-10', commit: async () => undefined },
    ];
    const tokens: string[] = [];
    const projection = {
      project: async (records: readonly LoggedRecord[], token: string) => {
        tokens.push(token);
        return { projected: records.length, deadLetters: [] };
      },
    } as unknown as EventsProjection;
    const projector = new Projector(consumerOf(batches), projection, silent, { group: 'read-model', maxBatch: 100, maxWaitMs: 1, retryBaseMs: 1, retryMaxMs: 1 });

    projector.start();
    while (tokens.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    await projector.stop();

    expect(tokens).toEqual(['read-model:0:5-9,3:10-10', 'read-model:0:5-9,1:0-4,3:10-10']);
    expect(new Set(tokens).size).toBe(2);
  });

  it('keeps the SQLite log\'s token text: <group>:<first>-<last>', () => {
    expect(dedupTokenOf('read-model', { dedupKey: '101-200' })).toBe('read-model:101-200');
  });
});

describe('Projector linger', () => {
  const projectionRecordingTimes = (times: number[]) =>
    ({
      project: async (records: readonly LoggedRecord[]) => {
        times.push(Date.now());
        return { projected: records.length, deadLetters: [] };
      },
    }) as unknown as EventsProjection;
  const batchOf = (size: number, key: string): EventBatch => ({ records: Array.from({ length: size }, (_, i) => record(String(i))), dedupKey: key, commit: async () => undefined });

  /** Projects the batches with maxBatch 10 and lingerMs 150; the ms between one INSERT and the next. */
  async function gapsBetweenInserts(batches: EventBatch[]): Promise<number[]> {
    const times: number[] = [];
    const projector = new Projector(consumerOf(batches), projectionRecordingTimes(times), silent, { group: 'g', maxBatch: 10, maxWaitMs: 1, lingerMs: 150, retryBaseMs: 1, retryMaxMs: 1 });
    const count = batches.length; // consumerOf hands the batches out by shifting them
    projector.start();
    while (times.length < count) await new Promise((resolve) => setTimeout(resolve, 1));
    await projector.stop();
    return times.slice(1).map((at, i) => at - times[i]);
  }

  it('waits lingerMs after a batch smaller than maxBatch before reading again, and not after a full one', async () => {
    const gaps = await gapsBetweenInserts([batchOf(2, 'a'), batchOf(2, 'b'), batchOf(10, 'c'), batchOf(10, 'd')]);
    expect(gaps[0]).toBeGreaterThanOrEqual(140); // a partial batch: gather for a while
    expect(gaps[1]).toBeGreaterThanOrEqual(140);
    expect(gaps[2]).toBeLessThan(100); // a full batch: more is waiting, read at once
  });

  it("follows the consumer's caughtUp over the batch's size: reads a backlog on at once, lingers once caught up", async () => {
    // A Kafka fetch is bounded by bytes: small batches with a backlog behind them.
    const behind = (size: number, key: string): EventBatch => ({ ...batchOf(size, key), caughtUp: false });
    const caughtUp = (size: number, key: string): EventBatch => ({ ...batchOf(size, key), caughtUp: true });
    const gaps = await gapsBetweenInserts([behind(2, 'a'), behind(2, 'b'), caughtUp(2, 'c'), behind(2, 'd')]);
    expect(gaps[0]).toBeLessThan(100); // a backlog: read on
    expect(gaps[1]).toBeLessThan(100);
    expect(gaps[2]).toBeGreaterThanOrEqual(140); // caught up: gather for a while
  });

  it('stops without waiting out a linger', async () => {
    const times: number[] = [];
    const projector = new Projector(consumerOf([batchOf(1, 'a')]), projectionRecordingTimes(times), silent, { group: 'g', maxBatch: 10, maxWaitMs: 1, lingerMs: 60_000, retryBaseMs: 1, retryMaxMs: 1 });
    projector.start();
    while (times.length < 1) await new Promise((resolve) => setTimeout(resolve, 1));
    const stoppedAt = Date.now();
    await projector.stop();
    expect(Date.now() - stoppedAt).toBeLessThan(1000);
  });
});
