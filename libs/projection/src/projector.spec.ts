import { DeadLetter, EventBatch, EventLogConsumer, LoggedRecord } from '@waymark/event-log';
import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { createHash } from 'node:crypto';
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
  it("names a batch by the consumer's key, not by its first and last positions", async () => {
    // Two groupings of a cross-partition stream with the same first (0:5) and last (3:10)
    // positions: {0:5-9, 3:10} and {0:5-9, 1:0-4, 3:10}. With `<group>:<first>-<last>`
    // both would be `read-model:0:5-3:10`, and ClickHouse would drop the second insert.
    const narrow = ['0:5', '0:6', '0:7', '0:8', '0:9', '3:10'].map(record);
    const wide = ['0:5', '0:6', '0:7', '0:8', '0:9', '1:0', '1:1', '1:2', '1:3', '1:4', '3:10'].map(record);
    const committed: string[] = [];
    const batches: EventBatch[] = [
      { records: narrow, dedupKey: '0:5-9,3:10-10', commit: async () => void committed.push('narrow') },
      { records: wide, dedupKey: '0:5-9,1:0-4,3:10-10', commit: async () => void committed.push('wide') },
    ];
    const tokens: string[] = [];
    const projection = {
      project: async (records: readonly LoggedRecord[], token: string) => {
        tokens.push(token);
        return { projected: records.length, deadLetters: [] };
      },
    } as unknown as EventsProjection;
    const projector = new Projector(consumerOf(batches), projection, silent, {
      group: 'read-model',
      maxBatch: 100,
      maxWaitMs: 1,
      retryBaseMs: 1,
      retryMaxMs: 1,
    });

    projector.start();
    while (committed.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    await projector.stop();

    expect(tokens).toEqual(['read-model:0:5-9,3:10-10', 'read-model:0:5-9,1:0-4,3:10-10']);
    // Both groupings were projected in full and committed, each once.
    expect(committed).toEqual(['narrow', 'wide']);
    expect(projector.stats).toMatchObject({ batches: 2, projected: narrow.length + wide.length });
  });

  it("keeps the SQLite log's token text: <group>:<first>-<last>", () => {
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
  const batchOf = (size: number, key: string): EventBatch => ({
    records: Array.from({ length: size }, (_, i) => record(String(i))),
    dedupKey: key,
    commit: async () => undefined,
  });

  /** Projects the batches with maxBatch 10 and lingerMs 150; the ms between one INSERT and the next. */
  async function gapsBetweenInserts(batches: EventBatch[]): Promise<number[]> {
    const times: number[] = [];
    const projector = new Projector(consumerOf(batches), projectionRecordingTimes(times), silent, {
      group: 'g',
      maxBatch: 10,
      maxWaitMs: 1,
      lingerMs: 150,
      retryBaseMs: 1,
      retryMaxMs: 1,
    });
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
    const projector = new Projector(consumerOf([batchOf(1, 'a')]), projectionRecordingTimes(times), silent, {
      group: 'g',
      maxBatch: 10,
      maxWaitMs: 1,
      lingerMs: 60_000,
      retryBaseMs: 1,
      retryMaxMs: 1,
    });
    projector.start();
    while (times.length < 1) await new Promise((resolve) => setTimeout(resolve, 1));
    const stoppedAt = Date.now();
    await projector.stop();
    expect(Date.now() - stoppedAt).toBeLessThan(1000);
  });
});

describe('Projector catch-up batches', () => {
  it('asks for maxBatch × catchUpFactor while behind and inserts what it gets in one INSERT, its rows built first; maxBatch again once caught up', async () => {
    const batchOf = (from: number, size: number): EventBatch => ({
      records: Array.from({ length: size }, (_, i) => record(String(from + i))),
      dedupKey: `${from}-${from + size - 1}`,
      commit: async () => undefined,
    });
    const handedOut = [batchOf(1, 10), batchOf(11, 30), batchOf(41, 3), batchOf(44, 2)];
    const asked: number[] = [];
    const consumer = consumerOf([...handedOut]);
    const nextBatch = consumer.nextBatch.bind(consumer);
    consumer.nextBatch = async (max, wait) => {
      if (asked.length < handedOut.length) asked.push(max);
      return nextBatch(max, wait);
    };
    const prepared = new Set<LoggedRecord>();
    const inserts: Array<{ token: string; size: number; allPreparedFirst: boolean }> = [];
    const projection = {
      prepareAhead: (records: readonly LoggedRecord[]) => records.forEach((r) => prepared.add(r)),
      project: async (records: readonly LoggedRecord[], token: string) => {
        inserts.push({ token, size: records.length, allPreparedFirst: records.every((r) => prepared.has(r)) });
        return { projected: records.length, deadLetters: [] };
      },
    } as unknown as EventsProjection;
    const projector = new Projector(consumer, projection, silent, { group: 'g', maxBatch: 10, catchUpFactor: 4, maxWaitMs: 1, retryBaseMs: 1, retryMaxMs: 1 });

    projector.start();
    while (inserts.length < handedOut.length) await new Promise((resolve) => setTimeout(resolve, 1));
    await projector.stop();

    // 10 of 10: a backlog, so 40 next; 30 of 40: caught up, so 10 again; 3 of 10: caught up.
    expect(asked).toEqual([10, 40, 10, 10]);
    expect(inserts.map(({ token, size }) => [token, size])).toEqual([
      ['g:1-10', 10],
      ['g:11-40', 30],
      ['g:41-43', 3],
      ['g:44-45', 2],
    ]);
    // The catch-up batch's rows were built in slices before its INSERT; a batch of maxBatch builds them in the INSERT.
    expect(inserts.map(({ allPreparedFirst }) => allPreparedFirst)).toEqual([false, true, false, false]);
    expect(projector.stats).toMatchObject({ batches: 4, projected: 45 });
  });
});

describe('Projector poison isolation', () => {
  /** What ClickHouse's client throws when it refuses a value (chDB and HTTP alike). */
  const refusal = (position: string) =>
    Object.assign(
      new Error(`Cannot parse escape sequence: missing second part of surrogate pair: (while reading the value of key identifier) at ${position}\nRow 1: ...`),
      {
        code: '25',
        type: 'CANNOT_PARSE_ESCAPE_SEQUENCE',
      },
    );
  const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });

  interface Run {
    /** Positions inserted, per successful insert, with the insert's token. */
    inserts: Array<{ token: string; positions: string[] }>;
    /** Tokens of every real insert tried, in order. */
    tokensTried: string[];
    /** Positions of every probe tried, in order. */
    probesTried: string[][];
    deadLetters: DeadLetter[];
    commits: number;
    projector: Projector;
  }

  /**
   * Runs one batch of `size` records through a projector whose projection refuses every
   * insert, and every probe, that holds one of `poison` (as ClickHouse refuses a whole
   * INSERT for one bad row), after `fail` has had its say on each attempt (`token`
   * undefined for a probe). `viewOnly`: the poison is refused by real inserts only, as a
   * refusal raised by a materialized view would be. Resolves once the batch is committed.
   */
  async function runBatch(
    size: number,
    poison: string[],
    fail: (records: readonly LoggedRecord[], token: string | undefined) => Error | undefined = () => undefined,
    { viewOnly = false } = {},
  ): Promise<Run> {
    const records = Array.from({ length: size }, (_, i) => record(String(i + 1)));
    const run: Run = { inserts: [], tokensTried: [], probesTried: [], deadLetters: [], commits: 0, projector: undefined as unknown as Projector };
    let committed!: () => void;
    const done = new Promise<void>((resolve) => (committed = resolve));
    const batch: EventBatch = {
      records,
      dedupKey: `1-${size}`,
      commit: async () => {
        run.commits += 1;
        committed();
      },
    };
    const consumer = { ...consumerOf([batch]), deadLetter: async (letters: DeadLetter[]) => void run.deadLetters.push(...letters) };
    const projection = {
      project: async (piece: readonly LoggedRecord[], token: string) => {
        run.tokensTried.push(token);
        const injected = fail(piece, token);
        if (injected) throw injected;
        const bad = piece.find((r) => poison.includes(r.position));
        if (bad) throw refusal(bad.position);
        run.inserts.push({ token, positions: piece.map((r) => r.position) });
        return { projected: piece.length, deadLetters: [] };
      },
      probe: async (piece: readonly LoggedRecord[]) => {
        run.probesTried.push(piece.map((r) => r.position));
        const injected = fail(piece, undefined);
        if (injected) throw injected;
        const bad = viewOnly ? undefined : piece.find((r) => poison.includes(r.position));
        if (bad) throw refusal(bad.position);
        return { projected: piece.length, deadLetters: [] };
      },
    } as unknown as EventsProjection;
    run.projector = new Projector(consumer, projection, silent, { group: 'read-model', maxBatch: size, maxWaitMs: 1, retryBaseMs: 1, retryMaxMs: 5 });
    run.projector.start();
    await done;
    await run.projector.stop();
    return run;
  }

  const projectedPositions = (run: Run) => run.inserts.flatMap((insert) => insert.positions).sort((a, b) => Number(a) - Number(b));
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

  it('finds exactly the events ClickHouse refuses, projects every other one once, and dead-letters the offenders with its reason', async () => {
    const run = await runBatch(100, ['37', '38', '90']);

    expect(run.deadLetters.map((letter) => letter.record.position)).toEqual(['37', '38', '90']);
    expect(run.deadLetters[0].reason).toBe(
      'refused by ClickHouse: CANNOT_PARSE_ESCAPE_SEQUENCE (code 25): Cannot parse escape sequence: missing second part of surrogate pair: (while reading the value of key identifier) at 37',
    );
    expect(projectedPositions(run)).toEqual(range(1, 100).filter((p) => !['37', '38', '90'].includes(p)));
    expect(run.commits).toBe(1);
    expect(run.projector.stats).toMatchObject({ batches: 1, projected: 97, deadLettered: 3, refused: 3, bisected: 1, failures: 0 });
    // Handled, not failing: readiness must not count the refused inserts as failed attempts.
    expect(run.projector.health.consecutiveFailures).toBe(0);
    // Found by probes, a few per offender; then the batch without them in one real insert.
    expect(run.probesTried.length).toBeLessThanOrEqual(3 * 2 * Math.ceil(Math.log2(100)));
    expect(run.tokensTried).toEqual(['read-model:1-100', 'read-model:1-100#-36.37.89']);
  });

  it("gives the insert without the offenders its own token, derived from the batch's, and the same on a second run (a crash mid-bisection re-inserts harmlessly)", async () => {
    const first = await runBatch(64, ['5', '50']);
    const second = await runBatch(64, ['5', '50']);

    expect(first.tokensTried).toEqual(['read-model:1-64', 'read-model:1-64#-4.49']);
    expect(second.tokensTried).toEqual(first.tokensTried);
    expect(second.probesTried).toEqual(first.probesTried);
  });

  it('dead-letters a batch of one refused event without another insert', async () => {
    const run = await runBatch(1, ['1']);
    expect(run.deadLetters.map((letter) => letter.record.position)).toEqual(['1']);
    expect(run.tokensTried).toEqual(['read-model:1-1']);
    expect(run.probesTried).toEqual([]);
    expect(run.commits).toBe(1);
  });

  it("falls back to bisecting with real inserts, each piece under its own token, for a refusal probes do not see (a view's)", async () => {
    const run = await runBatch(32, ['20'], undefined, { viewOnly: true });

    expect(run.deadLetters.map((letter) => letter.record.position)).toEqual(['20']);
    expect(projectedPositions(run)).toEqual(range(1, 32).filter((p) => p !== '20'));
    const pieces = run.tokensTried.slice(2);
    expect(run.tokensTried.slice(0, 2)).toEqual(['read-model:1-32', 'read-model:1-32#-']);
    for (const token of pieces) expect(token).toMatch(/^read-model:1-32#-#\d+-\d+$/);
    const inserted = run.inserts.map((insert) => insert.token);
    expect(new Set(inserted).size).toBe(inserted.length);
  });

  it('retries a retryable failure with backoff on the same batch and dead-letters nothing', async () => {
    let failuresLeft = 3;
    const run = await runBatch(10, [], () => (failuresLeft-- > 0 ? connectionRefused() : undefined));

    expect(run.deadLetters).toEqual([]);
    expect(run.tokensTried).toEqual(['read-model:1-10', 'read-model:1-10', 'read-model:1-10', 'read-model:1-10']);
    expect(projectedPositions(run)).toEqual(range(1, 10));
    expect(run.projector.stats).toMatchObject({ failures: 3, bisected: 0, deadLettered: 0 });
  });

  it('treats an unknown ClickHouse error and TOO_MANY_PARTS from slow merges as retryable', async () => {
    const errors = [
      Object.assign(new Error('Too many parts (3001). Merges are processing significantly slower than inserts'), { code: '252', type: 'TOO_MANY_PARTS' }),
      Object.assign(new Error('Memory limit (total) exceeded'), { code: '241', type: 'MEMORY_LIMIT_EXCEEDED' }),
      Object.assign(new Error('Table default.events does not exist'), { code: '60', type: 'UNKNOWN_TABLE' }),
      new Error('Timeout error.'),
    ];
    const run = await runBatch(4, [], () => errors.shift());

    expect(run.deadLetters).toEqual([]);
    expect(run.projector.stats).toMatchObject({ failures: 4, bisected: 0, projected: 4 });
  });

  it('falls back to real inserts when a probe fails otherwise than by a value, and still finds exactly the offender', async () => {
    let injected = false;
    const run = await runBatch(16, ['11'], (records, token) => {
      if (!injected && token === undefined) {
        injected = true;
        return connectionRefused();
      }
      return undefined;
    });

    expect(run.probesTried).toHaveLength(1);
    expect(run.deadLetters.map((letter) => letter.record.position)).toEqual(['11']);
    expect(projectedPositions(run)).toEqual(range(1, 16).filter((p) => p !== '11'));
    expect(run.tokensTried.slice(0, 2)).toEqual(['read-model:1-16', 'read-model:1-16#-']);
    expect(run.projector.stats).toMatchObject({ failures: 1, refused: 1 });
    expect(run.projector.health.consecutiveFailures).toBe(0);
  });

  it('retries a real-insert bisection step that meets a retryable failure, without starting over or losing what went in', async () => {
    let injected = false;
    const run = await runBatch(
      16,
      ['11'],
      (_records, token) => {
        // The first try of the piece holding positions 1-8 meets a dropped connection.
        if (!injected && token === 'read-model:1-16#-#0-7') {
          injected = true;
          return connectionRefused();
        }
        return undefined;
      },
      { viewOnly: true },
    );

    expect(run.deadLetters.map((letter) => letter.record.position)).toEqual(['11']);
    expect(projectedPositions(run)).toEqual(range(1, 16).filter((p) => p !== '11'));
    // The dropped step was tried again as itself; the batch was not inserted again from the top.
    expect(run.tokensTried.filter((token) => token === 'read-model:1-16#-#0-7')).toHaveLength(2);
    expect(run.tokensTried.filter((token) => token === 'read-model:1-16')).toHaveLength(1);
    expect(run.projector.stats).toMatchObject({ failures: 1, refused: 1 });
  });

  it('leaves the batch uncommitted when stopped while a bisection step waits to retry', async () => {
    let commits = 0;
    let tried = 0;
    const records = Array.from({ length: 8 }, (_, i) => record(String(i + 1)));
    const batch: EventBatch = { records, dedupKey: '1-8', commit: async () => void (commits += 1) };
    const projection = {
      project: async (_piece: readonly LoggedRecord[], token: string) => {
        tried += 1;
        if (token === '1-8' || token === 'g:1-8') throw refusal('1');
        throw connectionRefused(); // ClickHouse went away mid-isolation
      },
      probe: async () => {
        tried += 1;
        throw connectionRefused();
      },
    } as unknown as EventsProjection;
    const projector = new Projector(consumerOf([batch]), projection, silent, {
      group: 'g',
      maxBatch: 8,
      maxWaitMs: 1,
      retryBaseMs: 60_000,
      retryMaxMs: 60_000,
    });
    projector.start();
    while (tried < 3) await new Promise((resolve) => setTimeout(resolve, 1));
    const stoppedAt = Date.now();
    await projector.stop();

    expect(Date.now() - stoppedAt).toBeLessThan(1000);
    expect(commits).toBe(0);
    expect(projector.stats.batches).toBe(0);
    expect(projector.health.consecutiveFailures).toBe(2);
  });

  it('splits a batch refused for spanning too many partitions until its pieces pass, dead-lettering nothing', async () => {
    const tooWide = Object.assign(new Error('Too many partitions for single INSERT block (more than 100). The limit is controlled by...'), {
      code: '252',
      type: 'TOO_MANY_PARTS',
    });
    // Only a real insert meets the limit: a probe writes no parts.
    const run = await runBatch(40, [], (records, token) => (token !== undefined && records.length > 8 ? tooWide : undefined));

    expect(run.deadLetters).toEqual([]);
    expect(projectedPositions(run)).toEqual(range(1, 40));
    expect(run.inserts.every((insert) => insert.positions.length <= 8)).toBe(true);
    expect(run.probesTried).toEqual([]);
  });
});

/** A logger that keeps every line it is given, by level, as `<text>` (the last string argument). */
function recordingLogger() {
  const lines: Array<{ level: 'log' | 'warn' | 'error'; text: string; fields: Record<string, unknown> }> = [];
  const keep =
    (level: 'log' | 'warn' | 'error') =>
    (message: unknown, ...rest: unknown[]) => {
      const text = typeof message === 'string' ? message : String(rest.find((arg) => typeof arg === 'string') ?? '');
      lines.push({ level, text, fields: typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : {} });
    };
  return { lines, log: keep('log'), warn: keep('warn'), error: keep('error') };
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
};

describe('Projector retry warnings', () => {
  const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
  const quickRetries = { group: 'g', maxBatch: 10, maxWaitMs: 1, retryBaseMs: 1, retryMaxMs: 1 };
  const warnings = (logger: ReturnType<typeof recordingLogger>, text: string) =>
    logger.lines.filter((line) => line.level === 'warn' && line.text.startsWith(text));

  it('writes the first of many identical read failures in full and counts the rest into one summary line', async () => {
    const logger = recordingLogger();
    let reads = 0;
    const consumer: EventLogConsumer = {
      nextBatch: async () => {
        reads += 1;
        throw connectionRefused();
      },
      deadLetter: async () => undefined,
      close: async () => undefined,
    };
    const projector = new Projector(consumer, {} as EventsProjection, logger, quickRetries);
    projector.start();
    await until(() => reads >= 200);
    const whileFailing = warnings(logger, 'reading the next batch failed; retrying');
    await projector.stop();

    // 200 failures, one line while they went on (each still counted for readiness and metrics)...
    expect(whileFailing).toHaveLength(1);
    expect(whileFailing[0].fields.err).toBeInstanceOf(Error);
    expect(projector.stats.failures).toBeGreaterThanOrEqual(200);
    // ...and at stop one summary of the ones not written.
    const all = warnings(logger, 'reading the next batch failed; retrying');
    expect(all).toHaveLength(2);
    expect(all[1].text).toMatch(/\(repeated \d+ times in the last 60 s\)$/);
    expect(all[1].fields.repeated).toBe(projector.stats.failures - 1);
  });

  it('throttles failed inserts and failed commits each as their own kind, and after the interval writes a summary, not every line', async () => {
    const logger = recordingLogger();
    let inserts = 0;
    let commits = 0;
    const batch: EventBatch = {
      records: [record('1')],
      dedupKey: '1-1',
      commit: async () => {
        commits += 1;
        if (commits <= 100) throw new Error('SQLITE_BUSY: database is locked');
      },
    };
    const projection = {
      project: async (records: readonly LoggedRecord[]) => {
        inserts += 1;
        if (inserts <= 100) throw connectionRefused();
        return { projected: records.length, deadLetters: [] };
      },
    } as unknown as EventsProjection;
    const projector = new Projector(consumerOf([batch]), projection, logger, { ...quickRetries, logRepeatIntervalMs: 50 });
    projector.start();
    await until(() => commits > 100);
    await new Promise((resolve) => setTimeout(resolve, 120)); // past the interval: its summary comes from a timer
    await projector.stop();

    for (const text of ['projection failed; retrying', 'commit failed; retrying']) {
      const lines = warnings(logger, text);
      const repeated = lines.reduce((sum, line) => sum + (typeof line.fields.repeated === 'number' ? line.fields.repeated : 1), 0);
      // Every one of the 100 failures is accounted for, in a few lines (one per 50 ms interval at most).
      expect(repeated).toBe(100);
      expect(lines.length).toBeLessThan(20);
    }
    expect(projector.stats).toMatchObject({ batches: 1, failures: 200 });
  });

  it('writes every dead letter, even with the same reason, in full', async () => {
    const logger = recordingLogger();
    const batches: EventBatch[] = ['1', '2', '3'].map((position) => ({ records: [record(position)], dedupKey: position, commit: async () => undefined }));
    const projection = {
      project: async (records: readonly LoggedRecord[]) => ({
        projected: 0,
        deadLetters: records.map((r) => ({ record: r, reason: 'invalid envelope: not JSON' })),
      }),
    } as unknown as EventsProjection;
    const projector = new Projector(consumerOf(batches), projection, logger, quickRetries);
    projector.start();
    await until(() => projector.stats.batches === 3);
    await projector.stop();

    expect(warnings(logger, 'event dead-lettered').map((line) => line.fields.position)).toEqual(['1', '2', '3']);
  });
});

describe('Projector dead letters too large for the dead-letter topic', () => {
  /** What kafkajs throws when the broker answers MESSAGE_TOO_LARGE: the protocol error, wrapped by each retrier. */
  const tooLarge = () => {
    const answer = Object.assign(new Error('The request included a message larger than the max message size the server will accept'), {
      type: 'MESSAGE_TOO_LARGE',
      code: 10,
      retriable: false,
    });
    const protocol = new KafkaJSProtocolError(answer);
    // kafkajs's typings omit the options argument its retrier passes (src/retry/index.js).
    const Wrapped = KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error;
    return new Wrapped(new Wrapped(protocol, { cause: protocol }), { cause: protocol });
  };
  const LIMIT = 10_000;

  /**
   * Runs one batch whose projection dead-letters each of `raws`, against a dead-letter
   * log that refuses any write holding a letter bigger than `limit` bytes, or more than
   * `limit` bytes together. Resolves once committed.
   */
  async function run(raws: string[], limit = LIMIT) {
    const logger = recordingLogger();
    const written: DeadLetter[] = [];
    let writes = 0;
    const records = raws.map((raw, i) => ({ position: `0:${i + 10}`, raw }));
    let committed!: () => void;
    const done = new Promise<void>((resolve) => (committed = resolve));
    const batch: EventBatch = { records, dedupKey: 'k', commit: async () => committed() };
    const consumer: EventLogConsumer = {
      ...consumerOf([batch]),
      deadLetter: async (letters) => {
        writes += 1;
        const bytes = letters.reduce((sum, letter) => sum + Buffer.byteLength(letter.record.raw) + Buffer.byteLength(letter.reason), 0);
        if (bytes > limit) throw tooLarge();
        written.push(...letters);
      },
    };
    const projection = {
      project: async (piece: readonly LoggedRecord[]) => ({
        projected: 0,
        deadLetters: piece.map((r) => ({ record: r, reason: 'invalid envelope: identifier is longer than 1024 bytes' })),
      }),
    } as unknown as EventsProjection;
    const projector = new Projector(consumer, projection, logger, { group: 'g', maxBatch: 10, maxWaitMs: 1, retryBaseMs: 1, retryMaxMs: 1 });
    projector.start();
    await done;
    await projector.stop();
    return { written, writes, logger, projector };
  }

  it('writes an oversized dead letter truncated (reason, position, size and hash kept, marked truncated), and the others whole, then commits', async () => {
    const big = JSON.stringify({ id: '01a218e6-9252-7028-90b9-e2b6246988be', type: 'SessionStarted', identifier: 'x'.repeat(50_000) });
    const small = JSON.stringify({ id: 'small', identifier: 'y' });
    const { written, logger, projector } = await run([small, big, small]);

    expect(written.map((letter) => letter.record.position)).toEqual(['0:10', '0:11', '0:12']);
    expect(written[0].record.raw).toBe(small);
    expect(written[2].record.raw).toBe(small);
    const truncated = written[1];
    // Expected values computed here from the original, never read back from what was written.
    const sha256 = createHash('sha256').update(big).digest('hex');
    expect(JSON.parse(truncated.record.raw)).toEqual({ truncated: true, originalBytes: Buffer.byteLength(big), sha256, head: big.slice(0, 1024) });
    expect(truncated.reason).toBe(
      `invalid envelope: identifier is longer than 1024 bytes [payload truncated for the dead-letter topic: ${Buffer.byteLength(big)} bytes, sha256 ${sha256}]`,
    );
    expect(Buffer.byteLength(truncated.record.raw)).toBeLessThan(LIMIT / 2);
    expect(
      logger.lines.filter((line) => line.text === 'dead letter too large for the dead-letter log; written truncated').map((line) => line.fields.position),
    ).toEqual(['0:11']);
    // Not a failure to retry: the projector moved on at once.
    expect(projector.stats).toMatchObject({ batches: 1, deadLettered: 3, failures: 0 });
  });

  it('writes letters that are too large only together one at a time, none truncated', async () => {
    const medium = 'z'.repeat(4_000);
    const { written } = await run([medium, medium, medium]);
    expect(written.map((letter) => letter.record.raw)).toEqual([medium, medium, medium]);
  });

  it('never loops: a letter refused even truncated is logged with its position, reason, size and hash, and the batch is committed', async () => {
    const { written, writes, logger, projector } = await run(['w'.repeat(20_000)], 100);

    expect(written).toEqual([]);
    expect(writes).toBe(3); // the batch's letters, the letter alone, the letter truncated
    const [line] = logger.lines.filter((entry) => entry.level === 'error');
    expect(line.text).toBe('dead letter too large for the dead-letter log even truncated; not written, this line is its only record');
    expect(line.fields).toMatchObject({ position: '0:10', reason: 'invalid envelope: identifier is longer than 1024 bytes', originalBytes: 20_000 });
    expect(line.fields.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(projector.stats).toMatchObject({ batches: 1, failures: 0 });
  });

  it('still retries a dead-letter write that failed otherwise (the broker unreachable), and writes it once', async () => {
    const logger = recordingLogger();
    const written: DeadLetter[] = [];
    let failuresLeft = 3;
    let committed!: () => void;
    const done = new Promise<void>((resolve) => (committed = resolve));
    const batch: EventBatch = { records: [record('1')], dedupKey: 'k', commit: async () => committed() };
    const consumer: EventLogConsumer = {
      ...consumerOf([batch]),
      deadLetter: async (letters) => {
        if (failuresLeft-- > 0) throw Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError' });
        written.push(...letters);
      },
    };
    const projection = {
      project: async (piece: readonly LoggedRecord[]) => ({ projected: 0, deadLetters: piece.map((r) => ({ record: r, reason: 'bad' })) }),
    } as unknown as EventsProjection;
    const projector = new Projector(consumer, projection, logger, { group: 'g', maxBatch: 10, maxWaitMs: 1, retryBaseMs: 1, retryMaxMs: 1 });
    projector.start();
    await done;
    await projector.stop();

    expect(written.map((letter) => letter.record.raw)).toEqual(['{}']);
    expect(projector.stats).toMatchObject({ failures: 3, deadLettered: 1 });
    expect(logger.lines.filter((line) => line.text.startsWith('writing dead letters failed; retrying'))).toHaveLength(2); // the first, then the summary at stop
  });
});
