import { RefreshTokenReused, SessionActivityRecorded, SessionRefreshed, SessionRevoked, SessionSpecDeleted, SessionStarted } from '../events/session-events';
import { REBUILT_REFRESH_TOKEN_HASH, evolveDecided, evolveSession } from './evolve-session';

const t0 = Date.UTC(2026, 11, 3, 10, 0, 0) + 437;
const base = {
  version: 1,
  product: 'p',
  env: 'snd',
  tag: 't',
  sessionId: '01900000-0000-7000-8000-000000000001',
  identifier: 'u',
  meta: { source: 'test' },
};
const iso = (ms: number) => new Date(ms).toISOString();
const started: SessionStarted = {
  ...base,
  id: 'e1',
  type: 'SessionStarted',
  occurredAt: iso(t0),
  data: { expiresAt: iso(t0 - 437 + 900_000), refreshExpiresAt: iso(t0 - 437 + 86_400_000), sealedData: 's' },
};
const refreshed: SessionRefreshed = {
  ...base,
  id: 'e2',
  type: 'SessionRefreshed',
  occurredAt: iso(t0 + 1_000),
  data: { generation: 1, expiresAt: iso(t0 - 437 + 901_000), refreshExpiresAt: iso(t0 - 437 + 86_401_000) },
};
const revoked: SessionRevoked = { ...base, id: 'e3', type: 'SessionRevoked', occurredAt: iso(t0 + 2_000), data: { reason: 'requested' } };

describe('evolveSession', () => {
  it('folded from the log alone, a session reads its lifetimes back from the expiries and has no refresh token', () => {
    expect(evolveSession(undefined, started)).toMatchObject({
      startedAt: t0,
      tokenTtlMs: 900_000,
      refreshTtlMs: 86_400_000,
      refreshTokenHash: REBUILT_REFRESH_TOKEN_HASH,
      spentRefreshTokenHashes: [],
      version: 0,
    });
  });

  it('with the local facts, a refresh spends the current hash and keeps the sealed answer; without them the new token is unknown', () => {
    const record = evolveSession(undefined, started, { refreshTokenHash: 'h0' });
    expect(evolveSession(record, refreshed, { refreshTokenHash: 'h1', sealedAnswer: 'sealed' })).toMatchObject({
      refreshTokenHash: 'h1',
      spentRefreshTokenHashes: ['h0'],
      lastRefreshSealed: 'sealed',
      rotatedAt: t0 + 1_000,
      generation: 1,
      version: 1,
    });
    // A refresh the store did not make (a repair): the spent token still counts as spent.
    expect(evolveSession(record, refreshed)).toMatchObject({
      refreshTokenHash: REBUILT_REFRESH_TOKEN_HASH,
      spentRefreshTokenHashes: ['h0'],
      lastRefreshSealed: null,
    });
  });

  it('does not apply a second start, a change to an unknown session, or a second revocation', () => {
    const record = evolveSession(undefined, started);
    expect(evolveSession(record, started)).toBeUndefined();
    expect(evolveSession(undefined, refreshed)).toBeUndefined();
    expect(evolveSession(evolveSession(record, revoked), { ...revoked, id: 'e4' })).toBeUndefined();
  });

  it('leaves the record as it is for activity and spec events', () => {
    const record = evolveSession(undefined, started);
    const activity: SessionActivityRecorded = { ...base, id: 'a', type: 'SessionActivityRecorded', occurredAt: iso(t0), data: { name: 'n', status: 's' } };
    const specDeleted: SessionSpecDeleted = { ...base, id: 'x', type: 'SessionSpecDeleted', occurredAt: iso(t0), data: { revision: 2 } };
    expect(evolveSession(record, activity)).toBe(record);
    expect(evolveSession(record, specDeleted)).toBe(record);
  });

  it('keeps when each refresh token was spent, index for index with the spent hashes; a refresh written before lineage (no parentGeneration) folds the same', () => {
    const record = evolveSession(undefined, started, { refreshTokenHash: 'h0' });
    const once = evolveSession(record, refreshed, { refreshTokenHash: 'h1' });
    const second: SessionRefreshed = { ...refreshed, id: 'e2b', occurredAt: iso(t0 + 5_000), data: { ...refreshed.data, generation: 2, parentGeneration: 1 } };
    expect(evolveSession(once, second, { refreshTokenHash: 'h2' })).toMatchObject({
      spentRefreshTokenHashes: ['h1', 'h0'],
      spentRefreshTokenTimes: [t0 + 5_000, t0 + 1_000],
      generation: 2,
    });
    // Folded from the log alone there is no hash to spend, so no time either.
    expect(evolveSession(evolveSession(undefined, started), refreshed)).toMatchObject({ spentRefreshTokenHashes: [], spentRefreshTokenTimes: [] });
  });

  it('leaves the record as it is for a reuse incident: the revocation decided with it ends the session', () => {
    const record = evolveSession(undefined, started);
    const incident: RefreshTokenReused = {
      ...base,
      id: 'r',
      type: 'RefreshTokenReused',
      occurredAt: iso(t0 + 3_000),
      data: { replayedGeneration: 0, currentGeneration: 1 },
    };
    expect(evolveSession(record, incident)).toBe(record);
  });

  it('evolveDecided refuses decided events that do not apply: a defect, not a refusal', () => {
    expect(() => evolveDecided(undefined, [refreshed])).toThrow('does not apply');
    expect(evolveDecided(undefined, [started, revoked]).status).toBe('revoked');
  });
});
