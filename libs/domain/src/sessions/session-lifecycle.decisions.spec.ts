import crypto from 'node:crypto';
import { EventMeta } from '../events/event-envelope';
import { RefreshTokenReused, SessionExtended, SessionRefreshed, SessionRevoked, SessionStarted } from '../events/session-events';
import { Fact, givenSession } from '../testing/given-when-then';
import { LocalFacts, REBUILT_REFRESH_TOKEN_HASH } from './evolve-session';
import { decideExtend, decideRefresh, decideRevoke, sessionsToRevoke } from './session-lifecycle.decisions';
import { RevokeReason } from './session-record';

const t0 = Date.UTC(2026, 10, 26, 8, 0, 0);
const SECOND = 1_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const meta: EventMeta = { source: 'test' };
const session = { product: 'p', env: 'snd', tag: 't', sessionId: '01900000-0000-7000-8000-000000000001', identifier: 'u-1' };
// Refresh-token hashes are SHA-256 in base64url: 43 characters each.
const hash = (name: string) => name.padEnd(43, '.');
const CURRENT = hash('current');
const NEXT = hash('next');

const envelope = (id: string, at: number) => ({ id, version: 1, occurredAt: iso(at), ...session, meta });

/** A session started at t0 (token 1 h, session 30 d, absolute end 90 d), its refresh token `refreshTokenHash`. */
function started(refreshTokenHash = CURRENT, sessionId = session.sessionId): { event: SessionStarted; local: LocalFacts } {
  const event: SessionStarted = {
    ...envelope('e-start', t0),
    sessionId,
    type: 'SessionStarted',
    data: {
      expiresAt: iso(t0 + HOUR),
      refreshExpiresAt: iso(t0 + 30 * DAY),
      sealedData: 'sealed',
      absoluteExpiresAt: iso(t0 + 90 * DAY),
      idleTimeoutMs: 30 * DAY,
    },
  };
  return { event, local: { refreshTokenHash, tokenTtlMs: HOUR, refreshTtlMs: 30 * DAY } };
}

/** A refresh at `at` that minted `refreshTokenHash` and kept `sealedAnswer` for retries. */
function refreshed(at: number, generation: number, refreshTokenHash: string, sealedAnswer?: string): Fact {
  const event: SessionRefreshed = {
    ...envelope(`e-refresh-${generation}`, at),
    type: 'SessionRefreshed',
    data: { generation, expiresAt: iso(at + HOUR), refreshExpiresAt: iso(at + 30 * DAY) },
  };
  return { event, local: { refreshTokenHash, sealedAnswer } };
}

const revoked = (at: number, reason: RevokeReason, id = 'e-revoke'): SessionRevoked => ({ ...envelope(id, at), type: 'SessionRevoked', data: { reason } });
const extended = (at: number, from: number, to: number): SessionExtended => ({
  ...envelope('e-extend', at),
  type: 'SessionExtended',
  data: { refreshExpiresAt: iso(to), previousRefreshExpiresAt: iso(from) },
});

const refreshInput = (now: number, presentedHash: string) => ({
  now,
  eventId: 'e-new',
  revocationEventId: 'e-revoke-new',
  meta,
  presentedHash,
  graceMs: 10 * SECOND,
  nextRefreshHash: NEXT,
});
/** What a reuse incident decides at `now`: the incident, then the revocation, one instant. */
const reuse = (now: number, data: RefreshTokenReused['data']): [RefreshTokenReused, SessionRevoked] => [
  { ...envelope('e-new', now), type: 'RefreshTokenReused', data },
  { ...envelope('e-revoke-new', now), type: 'SessionRevoked', data: { reason: 'refresh-token-reuse' } },
];
const context = (now: number) => ({ now, eventId: 'e-new', meta });

describe('decideRefresh', () => {
  it('given a started session, when its refresh token is presented, then it is refreshed: a fresh token lifetime, the session end pushed out', () => {
    const now = t0 + 2 * DAY + 437;
    const when = givenSession(started()).when((s) => decideRefresh(s, refreshInput(now, CURRENT)));
    when.then([
      {
        ...envelope('e-new', now),
        type: 'SessionRefreshed',
        data: { generation: 1, parentGeneration: 0, expiresAt: iso(t0 + 2 * DAY + HOUR), refreshExpiresAt: iso(t0 + 32 * DAY) },
      },
    ]);
    // Folded, the new token is current and the presented one spent.
    expect(when.thenState()).toMatchObject({ refreshTokenHash: NEXT, spentRefreshTokenHashes: [CURRENT], rotatedAt: now, generation: 1, version: 1 });
  });

  it('given a refresh just made, when the token it spent comes again within the grace window, then the same answer is replayed', () => {
    givenSession(started(), refreshed(t0 + HOUR, 1, NEXT, 'answer'))
      .when((s) => decideRefresh(s, refreshInput(t0 + HOUR + 9 * SECOND, CURRENT)))
      .thenAnswers({ kind: 'replay', sealedAnswer: 'answer' });
  });

  it('given a refresh just made, when the token it spent comes after the grace window, then the session is revoked as reuse', () => {
    const now = t0 + HOUR + 11 * SECOND;
    const when = givenSession(started(), refreshed(t0 + HOUR, 1, NEXT, 'answer')).when((s) => decideRefresh(s, refreshInput(now, CURRENT)));
    when.then(reuse(now, { replayedGeneration: 0, currentGeneration: 1, spentAt: iso(t0 + HOUR), sinceSpentMs: 11 * SECOND }));
    // The incident changes nothing itself: the record is what the revocation makes of it.
    expect(when.thenState()).toMatchObject({ status: 'revoked', revokeReason: 'refresh-token-reuse', revokedAt: now, lastRefreshSealed: null, version: 2 });
  });

  it('given two refreshes, when the first token comes again, even within the grace window, then the session is revoked as reuse', () => {
    const now = t0 + 2 * HOUR + SECOND;
    givenSession(started(), refreshed(t0 + HOUR, 1, hash('second'), 'a1'), refreshed(t0 + 2 * HOUR, 2, hash('third'), 'a2'))
      .when((s) => decideRefresh(s, refreshInput(now, CURRENT)))
      .then(reuse(now, { replayedGeneration: 0, currentGeneration: 2, spentAt: iso(t0 + HOUR), sinceSpentMs: HOUR + SECOND }));
  });

  it('given a refresh whose answer this store never kept, when its spent token comes within the grace window, then that is reuse', () => {
    const now = t0 + HOUR + SECOND;
    givenSession(started(), refreshed(t0 + HOUR, 1, NEXT))
      .when((s) => decideRefresh(s, refreshInput(now, CURRENT)))
      .then(reuse(now, { replayedGeneration: 0, currentGeneration: 1, spentAt: iso(t0 + HOUR), sinceSpentMs: SECOND }));
  });

  it('given three refreshes, when the second token comes again with request metadata, then the incident names generation 1 and carries it sealed', () => {
    const now = t0 + 4 * HOUR;
    const second = hash('second');
    givenSession(started(), refreshed(t0 + HOUR, 1, second, 'a1'), refreshed(t0 + 2 * HOUR, 2, hash('third'), 'a2'), refreshed(t0 + 3 * HOUR, 3, NEXT, 'a3'))
      .when((s) => decideRefresh(s, { ...refreshInput(now, second), sealedRequest: 'sealed-request' }))
      .then(reuse(now, { replayedGeneration: 1, currentGeneration: 3, spentAt: iso(t0 + 2 * HOUR), sinceSpentMs: 2 * HOUR, sealedRequest: 'sealed-request' }));
  });

  it('given a record stored before spent times were kept, when a spent token comes again, then the incident says which, without when it was spent', () => {
    const now = t0 + 3 * HOUR;
    givenSession(started(), refreshed(t0 + HOUR, 1, hash('second'), 'a1'), refreshed(t0 + 2 * HOUR, 2, NEXT, 'a2'))
      .when((s) => decideRefresh({ ...s, spentRefreshTokenTimes: undefined }, refreshInput(now, CURRENT)))
      .then(reuse(now, { replayedGeneration: 0, currentGeneration: 2 }));
  });

  it('given a refresh just made, when its spent token is retried within the grace window, then nothing is decided (no incident)', () => {
    givenSession(started(), refreshed(t0 + HOUR, 1, NEXT, 'answer'))
      .when((s) => decideRefresh(s, refreshInput(t0 + HOUR + 10 * SECOND, CURRENT)))
      .then([]);
  });

  it('given a started session, when a token matching nothing is presented, then it is refused without revoking', () => {
    givenSession(started())
      .when((s) => decideRefresh(s, refreshInput(t0 + SECOND, hash('forged'))))
      .thenAnswers({ kind: 'refused', reason: 'invalid' });
  });

  it('given a session folded from the log alone (no refresh hash), when any token is presented, then it is refused', () => {
    const fromLog = givenSession(started().event);
    expect(fromLog.state?.refreshTokenHash).toBe(REBUILT_REFRESH_TOKEN_HASH);
    fromLog.when((s) => decideRefresh(s, refreshInput(t0 + SECOND, REBUILT_REFRESH_TOKEN_HASH))).thenAnswers({ kind: 'refused', reason: 'invalid' });
  });

  it('given a revoked session, or one past its end, when its token is presented, then it is refused', () => {
    givenSession(started(), revoked(t0 + SECOND, 'requested'))
      .when((s) => decideRefresh(s, refreshInput(t0 + 2 * SECOND, CURRENT)))
      .thenAnswers({ kind: 'refused', reason: 'revoked' });
    givenSession(started())
      .when((s) => decideRefresh(s, refreshInput(t0 + 30 * DAY, CURRENT)))
      .thenAnswers({ kind: 'refused', reason: 'expired' });
  });
});

describe('refresh-token comparison in constant time', () => {
  afterEach(() => jest.restoreAllMocks());

  it('compares the presented hash with the current and every spent hash through crypto.timingSafeEqual, without stopping at a match', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    const given = givenSession(started(), refreshed(t0 + HOUR, 1, hash('second'), 'a1'), refreshed(t0 + 2 * HOUR, 2, hash('third'), 'a2'));
    expect(given.state?.spentRefreshTokenHashes).toEqual([hash('second'), CURRENT]);

    // The current token matches the first candidate; the other two are compared all the same.
    expect(given.when((s) => decideRefresh(s, refreshInput(t0 + 3 * HOUR, hash('third')))).outcome().kind).toBe('rotate');
    expect(spy).toHaveBeenCalledTimes(3);

    spy.mockClear();
    // A forged hash of the same length, differing in its last character only, is refused.
    const forged = hash('third').slice(0, -1) + '!';
    expect(forged).toHaveLength(hash('third').length);
    expect(given.when((s) => decideRefresh(s, refreshInput(t0 + 3 * HOUR, forged))).outcome()).toEqual({ kind: 'refused', reason: 'invalid' });
    expect(spy).toHaveBeenCalledTimes(3);
  });
});

describe('decideRevoke', () => {
  it('given a live session, when revoked, then one SessionRevoked with the reason', () => {
    const when = givenSession(started()).when((s) => decideRevoke(s, 'requested', context(t0 + SECOND)));
    when.then([{ ...envelope('e-new', t0 + SECOND), type: 'SessionRevoked', data: { reason: 'requested' } }]);
    expect(when.thenState()).toMatchObject({ status: 'revoked', revokedAt: t0 + SECOND, revokeReason: 'requested', version: 1 });
  });

  it('given a revoked session, when revoked again, then nothing happens (revoking is idempotent)', () => {
    givenSession(started(), revoked(t0 + SECOND, 'requested'))
      .when((s) => decideRevoke(s, 'identifier-revoked', context(t0 + 2 * SECOND)))
      .then([]);
  });
});

describe('revoking by identifier', () => {
  const live = (sessionId: string) => {
    const record = givenSession(started(CURRENT, sessionId)).state;
    if (!record) throw new Error('not started');
    return record;
  };

  it('given a user with live sessions, when revoked by identifier except one, then every other session is revoked with reason identifier-revoked', () => {
    const [a, b, c] = ['s-a', 's-b', 's-c'].map(live);
    const chosen = sessionsToRevoke([a, b, c], 's-b');
    expect(chosen.map((s) => s.sessionId)).toEqual(['s-a', 's-c']);
    for (const record of chosen) {
      expect(decideRevoke(record, 'identifier-revoked', context(t0 + SECOND))?.events).toEqual([
        { ...envelope('e-new', t0 + SECOND), sessionId: record.sessionId, type: 'SessionRevoked', data: { reason: 'identifier-revoked' } },
      ]);
    }
    expect(sessionsToRevoke([a, b, c]).map((s) => s.sessionId)).toEqual(['s-a', 's-b', 's-c']);
  });
});

describe('decideExtend', () => {
  it('given a live session, when extended by 7 days, then its end moves out and the previous end is recorded', () => {
    const when = givenSession(started()).when((s) => decideExtend(s, 7 * DAY, context(t0 + SECOND)));
    when.then([extended(t0 + SECOND, t0 + 30 * DAY, t0 + 37 * DAY)].map((e) => ({ ...e, id: 'e-new' })));
    expect(when.thenState()).toMatchObject({ refreshExpiresAt: t0 + 37 * DAY, version: 1 });
  });

  it('given an extended session, when extended again, then it builds on the extended end', () => {
    givenSession(started(), extended(t0 + SECOND, t0 + 30 * DAY, t0 + 37 * DAY))
      .when((s) => decideExtend(s, DAY, context(t0 + 2 * SECOND)))
      .then([{ ...extended(t0 + 2 * SECOND, t0 + 37 * DAY, t0 + 38 * DAY), id: 'e-new' }]);
  });

  it('given a revoked session, or one past its end, when extended, then it is refused', () => {
    givenSession(started(), revoked(t0 + SECOND, 'requested'))
      .when((s) => decideExtend(s, DAY, context(t0 + 2 * SECOND)))
      .thenAnswers({ kind: 'refused', reason: 'revoked' });
    givenSession(started())
      .when((s) => decideExtend(s, DAY, context(t0 + 31 * DAY)))
      .thenAnswers({ kind: 'refused', reason: 'expired' });
  });
});
