import { SessionRecord } from './session-record';
import { decideExtend, decideRefresh, decideRevoke } from './session-lifecycle.decisions';

const t0 = Date.UTC(2026, 10, 26, 8, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function session(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: '01900000-0000-7000-8000-000000000001',
    product: 'p',
    env: 'snd',
    tag: 't',
    identifier: 'u-1',
    status: 'active',
    startedAt: t0,
    expiresAt: t0 + HOUR,
    refreshExpiresAt: t0 + 30 * DAY,
    tokenTtlMs: HOUR,
    refreshTtlMs: 30 * DAY,
    sealedData: 'sealed',
    refreshTokenHash: 'current',
    spentRefreshTokenHashes: [],
    rotatedAt: null,
    lastRefreshSealed: null,
    generation: 0,
    version: 0,
    revokedAt: null,
    revokeReason: null,
    ...overrides,
  };
}

const context = (now: number, presentedHash: string) => ({
  now,
  eventId: '01900000-0000-7000-8000-0000000000ee',
  meta: { source: 'test' },
  presentedHash,
  graceMs: 10_000,
  nextRefreshHash: 'next',
});

describe('decideRefresh', () => {
  it('given the current refresh token, rotates it: new hash, old one spent, fresh lifetimes, one SessionRefreshed', () => {
    const now = t0 + 2 * DAY;
    const decision = decideRefresh(session(), context(now, 'current'));

    expect(decision.kind).toBe('rotate');
    if (decision.kind !== 'rotate') return;
    expect(decision.record).toMatchObject({
      refreshTokenHash: 'next',
      spentRefreshTokenHashes: ['current'],
      rotatedAt: now,
      generation: 1,
      version: 1,
      expiresAt: now + HOUR,
      refreshExpiresAt: now + 30 * DAY,
    });
    expect(decision.event).toMatchObject({ type: 'SessionRefreshed', sessionId: session().sessionId, data: { generation: 1 } });
  });

  it('given the token just spent, within the grace window, replays the sealed answer', () => {
    const rotated = session({
      refreshTokenHash: 'next',
      spentRefreshTokenHashes: ['current'],
      rotatedAt: t0,
      lastRefreshSealed: 'answer',
      generation: 1,
      version: 1,
    });
    expect(decideRefresh(rotated, context(t0 + 9_000, 'current'))).toEqual({ kind: 'replay', sealedAnswer: 'answer' });
  });

  it('given the token just spent, after the grace window, revokes the session as reuse', () => {
    const rotated = session({
      refreshTokenHash: 'next',
      spentRefreshTokenHashes: ['current'],
      rotatedAt: t0,
      lastRefreshSealed: 'answer',
      generation: 1,
      version: 1,
    });
    const decision = decideRefresh(rotated, context(t0 + 11_000, 'current'));
    expect(decision.kind).toBe('reuse-detected');
    if (decision.kind !== 'reuse-detected') return;
    expect(decision.record).toMatchObject({ status: 'revoked', revokeReason: 'refresh-token-reuse', revokedAt: t0 + 11_000, version: 2 });
    expect(decision.event).toMatchObject({ type: 'SessionRevoked', data: { reason: 'refresh-token-reuse' } });
  });

  it('given an older spent token, revokes at once even inside the grace window', () => {
    const record = session({
      refreshTokenHash: 'third',
      spentRefreshTokenHashes: ['second', 'first'],
      rotatedAt: t0,
      lastRefreshSealed: 'answer',
      generation: 2,
      version: 2,
    });
    expect(decideRefresh(record, context(t0 + 1, 'first')).kind).toBe('reuse-detected');
  });

  it('refuses a token matching nothing without revoking, so a known session id alone cannot end a session', () => {
    expect(decideRefresh(session(), context(t0 + 1, 'forged'))).toEqual({ kind: 'refused', reason: 'invalid' });
  });

  it('refuses revoked and ended sessions', () => {
    expect(decideRefresh(session({ status: 'revoked' }), context(t0, 'current'))).toEqual({ kind: 'refused', reason: 'revoked' });
    expect(decideRefresh(session(), context(t0 + 30 * DAY, 'current'))).toEqual({ kind: 'refused', reason: 'expired' });
  });
});

describe('decideRevoke', () => {
  it('revokes a live session once; revoking again decides nothing', () => {
    const decision = decideRevoke(session(), 'requested', { now: t0, eventId: 'e', meta: { source: 'test' } });
    expect(decision?.record).toMatchObject({ status: 'revoked', revokeReason: 'requested', version: 1 });
    expect(decideRevoke(decision!.record, 'requested', { now: t0, eventId: 'e', meta: { source: 'test' } })).toBeUndefined();
  });
});

describe('decideExtend', () => {
  it('pushes the session end out and records the previous end', () => {
    const decision = decideExtend(session(), 7 * DAY, { now: t0, eventId: 'e', meta: { source: 'test' } });
    expect(decision.kind).toBe('extended');
    if (decision.kind !== 'extended') return;
    expect(decision.record.refreshExpiresAt).toBe(t0 + 37 * DAY);
    expect(decision.event.data).toEqual({
      refreshExpiresAt: new Date(t0 + 37 * DAY).toISOString(),
      previousRefreshExpiresAt: new Date(t0 + 30 * DAY).toISOString(),
    });
  });

  it('refuses revoked and ended sessions', () => {
    expect(decideExtend(session({ status: 'revoked' }), DAY, { now: t0, eventId: 'e', meta: { source: 'test' } })).toEqual({
      kind: 'refused',
      reason: 'revoked',
    });
    expect(decideExtend(session(), DAY, { now: t0 + 31 * DAY, eventId: 'e', meta: { source: 'test' } })).toEqual({ kind: 'refused', reason: 'expired' });
  });
});
