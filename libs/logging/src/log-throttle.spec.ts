import { Logger } from '@nestjs/common';
import { Writable } from 'node:stream';
import { LogThrottle } from './log-throttle';
import { PinoLoggerService, createPinoLogger } from './pino-logger.service';
import { ThrottledLogger } from './throttled-logger';

/** Nest's Logger (as the code uses it) over a pino logger writing JSON lines into an array. */
function capture(context: string): { lines: Array<Record<string, unknown>>; logger: Logger } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  Logger.overrideLogger(new PinoLoggerService(createPinoLogger('info', sink)));
  return { lines, logger: new Logger(context) };
}

async function drained(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('LogThrottle', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('writes the first occurrence in full, then one summary per interval with the count', () => {
    const throttle = new LogThrottle({ intervalMs: 10_000 });
    const written: string[] = [];
    const occur = () =>
      throttle.record(
        'disk full',
        () => written.push('full'),
        (repeated) => written.push(`repeated ${repeated}`),
      );

    for (let i = 0; i < 500; i += 1) occur();
    expect(written).toEqual(['full']);
    jest.advanceTimersByTime(10_000);
    expect(written).toEqual(['full', 'repeated 499']);

    for (let i = 0; i < 30; i += 1) occur();
    jest.advanceTimersByTime(10_000);
    expect(written).toEqual(['full', 'repeated 499', 'repeated 30']);

    // A quiet interval forgets the key: the next occurrence is written in full again.
    jest.advanceTimersByTime(10_000);
    occur();
    expect(written).toEqual(['full', 'repeated 499', 'repeated 30', 'full']);
  });

  it('keeps keys apart, and logs untracked keys in full once the map is full', () => {
    const throttle = new LogThrottle({ intervalMs: 1000, maxKeys: 2 });
    const written: string[] = [];
    for (const key of ['a', 'b', 'a', 'c', 'c', 'b'])
      throttle.record(
        key,
        () => written.push(key),
        () => undefined,
      );
    expect(written).toEqual(['a', 'b', 'c', 'c']);
  });

  it('writes pending counts on flush', () => {
    const throttle = new LogThrottle({ intervalMs: 60_000 });
    const written: string[] = [];
    for (let i = 0; i < 3; i += 1)
      throttle.record(
        'k',
        () => written.push('full'),
        (repeated) => written.push(`repeated ${repeated}`),
      );
    throttle.flush();
    expect(written).toEqual(['full', 'repeated 2']);
  });
});

describe('ThrottledLogger', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('logs a repeated error once with its stack, then a summary line with repeated: N and no stack', async () => {
    const { lines, logger } = capture('http');
    const throttled = new ThrottledLogger(logger, new LogThrottle({ intervalMs: 60_000 }), 'http');
    const disk = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

    for (let i = 0; i < 1000; i += 1) throttled.error(disk());
    throttled.error(new Error('another failure'));
    jest.advanceTimersByTime(60_000);
    await drained();

    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'database or disk is full', err: { message: 'database or disk is full', stack: expect.any(String) } });
    expect(lines[1]).toMatchObject({ msg: 'another failure' });
    expect(lines[2]).toMatchObject({ level: 50, context: 'http', repeated: 999, intervalSeconds: 60, error: 'SQLITE_FULL: database or disk is full' });
    expect(lines[2].err).toBeUndefined();
    expect(String(lines[2].msg)).toContain('repeated 999 times');
  });

  it('treats warnings with the same text and error as one kind whatever their other fields', async () => {
    const { lines, logger } = capture('projector');
    const throttled = new ThrottledLogger(logger, new LogThrottle({ intervalMs: 5000 }));
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:8123');
    for (let attempt = 1; attempt <= 20; attempt += 1) throttled.warn({ err: refused, attempt, retryInMs: 200 * attempt }, 'projection failed; retrying');
    throttled.log('info lines are never throttled');
    throttled.log('info lines are never throttled');
    jest.advanceTimersByTime(5000);
    await drained();

    expect(lines[3].msg).toBe('projection failed; retrying (repeated 19 times in the last 5 s)');
    expect(lines.map((line) => [line.level, line.attempt ?? line.repeated ?? null])).toEqual([
      [40, 1],
      [30, null],
      [30, null],
      [40, 19],
    ]);
  });
});
