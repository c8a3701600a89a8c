import { SessionRefreshed } from '../events/session-events';
import { evolveSession } from '../sessions/evolve-session';
import { decideStartSession } from '../sessions/start-session.decision';
import { senderKeyFor } from './sender-constraint';
import { SessionSpec } from './session-spec';

const JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
const spec: SessionSpec = { tag: 'web', name: 'Web', selector: 'userId', expiry: { value: 1, unit: 'hours' }, refreshExpiry: { value: 30, unit: 'days' } };
const refusalOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('senderKeyFor', () => {
  it('given no senderConstraint (none), then an unbound start passes and a jkt is refused naming it', () => {
    expect(senderKeyFor(spec, undefined)).toBeUndefined();
    expect(refusalOf(() => senderKeyFor(spec, JKT))).toMatchObject({ code: 'INVALID_REQUEST', fieldErrors: [{ field: 'jkt' }] });
    expect(refusalOf(() => senderKeyFor({ ...spec, senderConstraint: 'none' }, JKT))).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('given dpop-optional, then either; given dpop-required, then only a bound start', () => {
    expect(senderKeyFor({ ...spec, senderConstraint: 'dpop-optional' }, JKT)).toBe(JKT);
    expect(senderKeyFor({ ...spec, senderConstraint: 'dpop-optional' }, undefined)).toBeUndefined();
    expect(senderKeyFor({ ...spec, senderConstraint: 'dpop-required' }, JKT)).toBe(JKT);
    expect(refusalOf(() => senderKeyFor({ ...spec, senderConstraint: 'dpop-required' }, undefined))).toMatchObject({
      code: 'INVALID_REQUEST',
      fieldErrors: [{ field: 'jkt', message: "sessions of 'web' must be bound to a key: give jkt" }],
    });
  });
});

describe('a bound session (jkt)', () => {
  const now = Date.UTC(2026, 11, 3, 10, 0, 0);
  const start = decideStartSession({
    product: 'p',
    env: 'e',
    tag: 'web',
    identifier: 'u-1',
    spec: { ...spec, senderConstraint: 'dpop-required' },
    sessionId: '01900000-0000-7000-8000-000000000001',
    eventId: '01900000-0000-7000-8000-000000000002',
    now,
    sealedData: 'sealed',
    refreshTokenHash: 'hash',
    meta: { source: 'api' },
    jkt: JKT,
  });

  it('given a start with a jkt, then the record holds it and the log does not (a store-only fact, like the refresh hash)', () => {
    expect(start.record.jkt).toBe(JKT);
    expect(JSON.stringify(start.events)).not.toContain(JKT);
    expect(start.local?.jkt).toBe(JKT);
  });

  it('given a refresh, then the record stays bound; folded from the log alone, it is not bound (and cannot be refreshed)', () => {
    const refreshed: SessionRefreshed = {
      ...start.event,
      id: '01900000-0000-7000-8000-000000000003',
      type: 'SessionRefreshed',
      occurredAt: new Date(now + 60_000).toISOString(),
      data: { generation: 1, expiresAt: new Date(now + 3_660_000).toISOString(), refreshExpiresAt: start.event.data.refreshExpiresAt },
    };
    expect(evolveSession(start.record, refreshed, { refreshTokenHash: 'hash-2' })?.jkt).toBe(JKT);
    expect(evolveSession(undefined, start.event)).not.toHaveProperty('jkt');
  });
});
