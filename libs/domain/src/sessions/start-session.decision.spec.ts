import { SessionSpec } from '../specs/session-spec';
import { givenSession } from '../testing/given-when-then';
import { decideStartSession, lifetimesFor, StartSessionInput } from './start-session.decision';

const spec: SessionSpec = {
  tag: 'session-tag',
  name: 'Default',
  selector: 'userId',
  expiry: { value: 1, unit: 'hours' },
  refreshExpiry: { value: 30, unit: 'days' },
};
const now = Date.UTC(2026, 10, 26, 10, 0, 0, 0);
const input: StartSessionInput = {
  product: 'my-product-tag',
  env: 'snd',
  tag: 'session-tag',
  identifier: 'u-1',
  spec,
  sessionId: '01900000-0000-7000-8000-000000000001',
  eventId: '01900000-0000-7000-8000-000000000002',
  now,
  sealedData: 'sealed',
  refreshTokenHash: 'hash',
  meta: { requestId: 'r-1', source: 'api' },
};

describe('decideStartSession', () => {
  it('given nothing, when a session starts, then one SessionStarted, and the folded session is active with the refresh hash beside the log', () => {
    const when = givenSession().when(() => decideStartSession(input));
    const decision = when.then([
      {
        id: '01900000-0000-7000-8000-000000000002',
        type: 'SessionStarted',
        version: 1,
        occurredAt: '2026-11-26T10:00:00.000Z',
        product: 'my-product-tag',
        env: 'snd',
        tag: 'session-tag',
        sessionId: '01900000-0000-7000-8000-000000000001',
        identifier: 'u-1',
        data: {
          expiresAt: '2026-11-26T11:00:00.000Z',
          refreshExpiresAt: '2026-12-26T10:00:00.000Z',
          sealedData: 'sealed',
          // The spec names no timeouts: 90 days absolute (the default), idle = the refresh lifetime.
          absoluteExpiresAt: '2027-02-24T10:00:00.000Z',
          idleTimeoutMs: 30 * 86_400_000,
        },
        meta: { requestId: 'r-1', source: 'api' },
      },
    ]);
    // The members in the order the log has always stored them.
    expect(Object.keys(decision.event)).toEqual(['id', 'type', 'version', 'occurredAt', 'product', 'env', 'tag', 'sessionId', 'identifier', 'data', 'meta']);
    expect(decision.local).toEqual({ refreshTokenHash: 'hash', tokenTtlMs: 3_600_000, refreshTtlMs: 30 * 86_400_000 });
    const record = {
      sessionId: '01900000-0000-7000-8000-000000000001',
      product: 'my-product-tag',
      env: 'snd',
      tag: 'session-tag',
      identifier: 'u-1',
      status: 'active',
      startedAt: now,
      expiresAt: now + 3_600_000,
      refreshExpiresAt: now + 30 * 86_400_000,
      tokenTtlMs: 3_600_000,
      refreshTtlMs: 30 * 86_400_000,
      absoluteExpiresAt: now + 90 * 86_400_000,
      idleTimeoutMs: 30 * 86_400_000,
      lastUsedAt: now,
      sealedData: 'sealed',
      refreshTokenHash: 'hash',
      spentRefreshTokenHashes: [],
      rotatedAt: null,
      lastRefreshSealed: null,
      generation: 0,
      version: 0,
      revokedAt: null,
      revokeReason: null,
    };
    expect(when.thenState()).toEqual(record);
    expect(decision.record).toEqual(record);
  });

  it('never lets the refresh token expire before the token it refreshes, and keeps the spec lifetimes exactly', () => {
    const shortRefresh: SessionSpec = { ...spec, expiry: { value: 2, unit: 'days' }, refreshExpiry: { value: 1, unit: 'hours' } };
    const lifetimes = lifetimesFor(shortRefresh, now);
    expect(lifetimes.refreshExpiresAt).toBe(lifetimes.expiresAt);
    const state = givenSession()
      .when(() => decideStartSession({ ...input, spec: shortRefresh }))
      .thenState();
    expect(state).toMatchObject({ refreshExpiresAt: lifetimes.expiresAt, tokenTtlMs: 2 * 86_400_000, refreshTtlMs: 3_600_000 });
  });
});
