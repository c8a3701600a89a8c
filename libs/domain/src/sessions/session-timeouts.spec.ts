import { EventMeta } from '../events/event-envelope';
import { SessionExtended, SessionRefreshed, SessionStarted } from '../events/session-events';
import { SessionSpec } from '../specs/session-spec';
import { decideCreateSpec } from '../specs/session-spec.decisions';
import { Fact, givenSession, givenSpec } from '../testing/given-when-then';
import { evolveSession } from './evolve-session';
import { decideExtend, decideRefresh } from './session-lifecycle.decisions';
import { DEFAULT_ABSOLUTE_LIFETIME_MS, absoluteLifetimeMsOf, idleTimeoutMsOf, timeoutOf } from './session-timeouts';
import { decideStartSession, lifetimesFor } from './start-session.decision';

const t0 = Date.UTC(2026, 10, 26, 8, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const meta: EventMeta = { source: 'test' };
const scope = { product: 'p', env: 'snd', tag: 't', sessionId: '01900000-0000-7000-8000-000000000001', identifier: 'u-1' };
const hash = (name: string) => name.padEnd(43, '.');
const envelope = (id: string, at: number) => ({ id, version: 1, occurredAt: iso(at), ...scope, meta });

/** A spec with a 15-minute token, a 7-day refresh, a 30-minute idle timeout and a 12-hour absolute lifetime. */
const spec: SessionSpec = {
  tag: 't',
  name: 'T',
  selector: 'userId',
  expiry: { value: 15, unit: 'minutes' },
  refreshExpiry: { value: 7, unit: 'days' },
  idleTimeout: { value: 30, unit: 'minutes' },
  absoluteLifetime: { value: 12, unit: 'hours' },
};

function startedWith(s: SessionSpec, at = t0): Fact {
  const decision = decideStartSession({ ...scope, spec: s, eventId: 'e-start', now: at, sealedData: 'sealed', refreshTokenHash: hash('h0'), meta });
  return { event: decision.event, local: decision.local ?? {} };
}

const refreshInput = (now: number, presented = hash('h0'), extra: object = {}) => ({
  now,
  eventId: 'e-refresh',
  revocationEventId: 'e-revoke',
  meta,
  presentedHash: presented,
  graceMs: 5_000,
  nextRefreshHash: hash('h1'),
  ...extra,
});

function refreshedAt(at: number, generation: number, fromSpec = spec): Fact {
  const { refreshExpiresAt, expiresAt } = lifetimesFor(fromSpec, at);
  const event: SessionRefreshed = {
    ...envelope(`e-refresh-${generation}`, at),
    type: 'SessionRefreshed',
    data: { generation, expiresAt: iso(expiresAt), refreshExpiresAt: iso(Math.min(refreshExpiresAt, t0 + 12 * HOUR)) },
  };
  return { event, local: { refreshTokenHash: hash(`h${generation}`) } };
}

describe('spec timeouts and their defaults', () => {
  it('given a spec without timeouts, then its sessions get 90 days absolute (or the refresh lifetime, if longer) and idle = the refresh lifetime', () => {
    const bare = { expiry: { value: 1, unit: 'hours' as const }, refreshExpiry: { value: 7, unit: 'days' as const } };
    expect(absoluteLifetimeMsOf(bare)).toBe(DEFAULT_ABSOLUTE_LIFETIME_MS);
    expect(idleTimeoutMsOf(bare)).toBe(7 * DAY);
    expect(DEFAULT_ABSOLUTE_LIFETIME_MS).toBe(90 * DAY);
    const long = { ...bare, refreshExpiry: { value: 120, unit: 'days' as const } };
    expect(absoluteLifetimeMsOf(long)).toBe(120 * DAY);
    // Idle never longer than an explicit absolute lifetime when it is a default.
    expect(idleTimeoutMsOf({ ...bare, absoluteLifetime: { value: 1, unit: 'days' } })).toBe(DAY);
  });

  it('when a spec has an idle timeout longer than its absolute lifetime, then it is refused on idleTimeout', () => {
    const context = { product: 'p', env: 'snd', now: t0, eventId: 'e-spec', meta };
    const bad: SessionSpec = { ...spec, idleTimeout: { value: 13, unit: 'hours' } };
    givenSpec()
      .when(() => decideCreateSpec(undefined, bad, context))
      .thenRefuses('INVALID_REQUEST');
    expect(() => decideCreateSpec(undefined, bad, context)).toThrow(
      expect.objectContaining({ fieldErrors: [expect.objectContaining({ field: 'idleTimeout' })] }),
    );
  });

  it('when a spec has an absolute lifetime shorter than its token lifetime, then it is refused on absoluteLifetime', () => {
    const context = { product: 'p', env: 'snd', now: t0, eventId: 'e-spec', meta };
    const bad: SessionSpec = { ...spec, absoluteLifetime: { value: 10, unit: 'minutes' }, idleTimeout: undefined };
    expect(() => decideCreateSpec(undefined, bad, context)).toThrow(
      expect.objectContaining({ fieldErrors: [expect.objectContaining({ field: 'absoluteLifetime' })] }),
    );
  });
});

describe('decideStartSession with timeouts', () => {
  it('when a session starts, then SessionStarted carries its absolute end and idle timeout, and no expiry passes the absolute end', () => {
    const short: SessionSpec = {
      ...spec,
      expiry: { value: 1, unit: 'hours' },
      absoluteLifetime: { value: 1, unit: 'hours' },
      idleTimeout: { value: 10, unit: 'minutes' },
    };
    const decision = decideStartSession({ ...scope, spec: short, eventId: 'e-start', now: t0 + 400, sealedData: 's', refreshTokenHash: hash('h0'), meta });
    expect(decision.event.data).toMatchObject({
      absoluteExpiresAt: iso(t0 + HOUR),
      idleTimeoutMs: 10 * MINUTE,
      expiresAt: iso(t0 + HOUR),
      refreshExpiresAt: iso(t0 + HOUR),
    });
    expect(decision.record).toMatchObject({ absoluteExpiresAt: t0 + HOUR, idleTimeoutMs: 10 * MINUTE, lastUsedAt: t0 + 400 });
  });

  it('given a SessionStarted written before timeouts, when folded, then the session gets idle = its refresh lifetime and the default absolute end', () => {
    const old: SessionStarted = {
      ...envelope('e-old', t0),
      type: 'SessionStarted',
      data: { expiresAt: iso(t0 + HOUR), refreshExpiresAt: iso(t0 + 120 * DAY), sealedData: 's' },
    };
    // Its refresh end lies past 90 days: it keeps it (no session ends earlier than it was promised).
    expect(evolveSession(undefined, old)).toMatchObject({ absoluteExpiresAt: t0 + 120 * DAY, idleTimeoutMs: 120 * DAY, lastUsedAt: t0 });
    const usual: SessionStarted = { ...old, data: { ...old.data, refreshExpiresAt: iso(t0 + 30 * DAY) } };
    expect(evolveSession(undefined, usual)).toMatchObject({ absoluteExpiresAt: t0 + 90 * DAY, idleTimeoutMs: 30 * DAY });
  });
});

describe('decideRefresh with timeouts', () => {
  it('given a session used 29 minutes ago, when refreshed, then it rotates and the refresh is its last use', () => {
    const when = givenSession(startedWith(spec)).when((record) => decideRefresh(record, refreshInput(t0 + 29 * MINUTE)));
    expect(when.outcome().kind).toBe('rotate');
    expect(when.thenState()).toMatchObject({ lastUsedAt: t0 + 29 * MINUTE });
  });

  it('given a session unused for 31 minutes (idle timeout 30), when refreshed, then it is refused as idle, whatever token is shown', () => {
    givenSession(startedWith(spec))
      .when((record) => decideRefresh(record, refreshInput(t0 + 31 * MINUTE)))
      .thenAnswers({ kind: 'refused', reason: 'idle' });
  });

  it('given a use seen by this instance and not yet in the store, when refreshed, then that use counts', () => {
    givenSession(startedWith(spec))
      .when((record) => decideRefresh(record, refreshInput(t0 + 45 * MINUTE, hash('h0'), { lastUsedAt: t0 + 20 * MINUTE })))
      .then([expect.objectContaining({ type: 'SessionRefreshed' })]);
  });

  it('given an allowance for uses not yet written, when refreshed within it, then it is not idle yet; past it, it is', () => {
    const given = givenSession(startedWith(spec));
    expect(given.when((record) => decideRefresh(record, refreshInput(t0 + 30 * MINUTE + 4_000, hash('h0'), { idleAllowanceMs: 5_000 }))).outcome().kind).toBe(
      'rotate',
    );
    given
      .when((record) => decideRefresh(record, refreshInput(t0 + 30 * MINUTE + 6_000, hash('h0'), { idleAllowanceMs: 5_000 })))
      .thenAnswers({ kind: 'refused', reason: 'idle' });
  });

  it('given a session refreshed every 20 minutes, when it reaches 12 hours, then it is refused as past its absolute end', () => {
    const facts: Fact[] = [startedWith(spec)];
    for (let at = 20 * MINUTE, generation = 1; at < 12 * HOUR; at += 20 * MINUTE, generation += 1) facts.push(refreshedAt(t0 + at, generation));
    const given = givenSession(...facts);
    expect(given.state).toMatchObject({ status: 'active', lastUsedAt: t0 + 11 * HOUR + 40 * MINUTE });
    given.when((record) => decideRefresh(record, refreshInput(t0 + 12 * HOUR, hash('h35')))).thenAnswers({ kind: 'refused', reason: 'absolute' });
  });

  it('given a session near its absolute end, when refreshed, then neither the token nor the session outlives the absolute end', () => {
    const facts: Fact[] = [startedWith(spec)];
    for (let at = 20 * MINUTE, generation = 1; at <= 11 * HOUR + 50 * MINUTE; at += 20 * MINUTE, generation += 1) facts.push(refreshedAt(t0 + at, generation));
    const given = givenSession(...facts);
    const last = given.state?.generation ?? 0;
    const outcome = given.when((record) => decideRefresh(record, refreshInput(t0 + 11 * HOUR + 55 * MINUTE, hash(`h${last}`)))).outcome();
    if (outcome.kind !== 'rotate') throw new Error(`expected a rotation, got ${outcome.kind}`);
    expect(outcome.event.data).toMatchObject({ expiresAt: iso(t0 + 12 * HOUR), refreshExpiresAt: iso(t0 + 12 * HOUR) });
  });
});

describe('decideExtend with timeouts', () => {
  const extendContext = (now: number, extra: object = {}) => ({ now, eventId: 'e-extend', meta, ...extra });
  /** 7-day refresh lifetime, 30-day absolute end, 1-day idle timeout. */
  const roomy: SessionSpec = { ...spec, idleTimeout: { value: 1, unit: 'days' }, absoluteLifetime: { value: 30, unit: 'days' } };

  it('given a session, when extended past its absolute end, then the end is clamped to the absolute end (not refused)', () => {
    givenSession(startedWith(roomy))
      .when((record) => decideExtend(record, 365 * DAY, extendContext(t0 + HOUR)))
      .then([
        {
          ...envelope('e-extend', t0 + HOUR),
          type: 'SessionExtended',
          data: { refreshExpiresAt: iso(t0 + 30 * DAY), previousRefreshExpiresAt: iso(t0 + 7 * DAY) },
        } satisfies SessionExtended,
      ]);
  });

  it('given a session already extended to its absolute end, when extended again, then nothing is recorded and the end stays', () => {
    const extended: SessionExtended = {
      ...envelope('e-x1', t0 + HOUR),
      type: 'SessionExtended',
      data: { refreshExpiresAt: iso(t0 + 30 * DAY), previousRefreshExpiresAt: iso(t0 + 7 * DAY) },
    };
    givenSession(startedWith(roomy), extended)
      .when((record) => decideExtend(record, DAY, extendContext(t0 + 2 * HOUR)))
      .thenAnswers({ kind: 'at-absolute-end', refreshExpiresAt: t0 + 30 * DAY });
  });

  it('given an extension, then it is a use: the idle clock starts again from it', () => {
    const state = givenSession(startedWith(roomy))
      .when((record) => decideExtend(record, DAY, extendContext(t0 + 20 * HOUR)))
      .thenState();
    expect(state).toMatchObject({ lastUsedAt: t0 + 20 * HOUR });
  });

  it('given a session unused for longer than its idle timeout, when extended, then it is refused as idle', () => {
    givenSession(startedWith(roomy))
      .when((record) => decideExtend(record, DAY, extendContext(t0 + DAY + 1)))
      .thenAnswers({ kind: 'refused', reason: 'idle' });
  });

  it('given a session past its absolute end, when extended, then it is refused as absolute', () => {
    const longRefresh: SessionSpec = { ...roomy, refreshExpiry: { value: 60, unit: 'days' }, idleTimeout: undefined };
    givenSession(startedWith(longRefresh))
      .when((record) => decideExtend(record, DAY, extendContext(t0 + 30 * DAY)))
      .thenAnswers({ kind: 'refused', reason: 'absolute' });
  });
});

describe('timeoutOf', () => {
  const session = { absoluteExpiresAt: t0 + HOUR, idleTimeoutMs: 10 * MINUTE };
  it('answers absolute at the absolute end, idle past the idle timeout (plus the allowance), and nothing otherwise', () => {
    expect(timeoutOf(session, t0, t0 + 10 * MINUTE)).toBeUndefined();
    expect(timeoutOf(session, t0, t0 + 10 * MINUTE + 1)).toBe('idle');
    expect(timeoutOf(session, t0, t0 + 10 * MINUTE + 1, 5_000)).toBeUndefined();
    expect(timeoutOf(session, t0 + HOUR - 1, t0 + HOUR)).toBe('absolute');
  });
});
