import {
  SessionActivityRecorded,
  SessionRecord,
  SessionSpec,
  decideCreateSpec,
  decideDeleteSpec,
  decideExtend,
  decideRefresh,
  decideRevoke,
  decideStartSession,
  decideUpdateSpec,
  evolveSession,
  WaymarkEvent,
} from '@waymark/domain';
import { specField } from './redis-keys';
import { REBUILT_REFRESH_TOKEN_HASH, emptyRebuiltState, foldEvent } from './redis-store-rebuild';

const t0 = Date.UTC(2026, 10, 26, 8, 0, 0) + 437; // not on a whole second, as real starts are
const MINUTE = 60_000;
const meta = { source: 'test' };
const spec: SessionSpec = {
  tag: 'web',
  name: 'Web',
  selector: 'userId',
  expiry: { value: 15, unit: 'minutes' },
  refreshExpiry: { value: 30, unit: 'days' },
};

function start(sessionId: string, identifier: string, now: number) {
  return decideStartSession({
    product: 'shop',
    env: 'prd',
    tag: 'web',
    identifier,
    spec,
    sessionId,
    eventId: `e-${sessionId}`,
    now,
    sealedData: `sealed-${sessionId}`,
    refreshTokenHash: 'h0',
    meta,
  });
}

/** What the log cannot carry: the refresh token hashes and the sealed refresh answer. */
function withoutSecrets(record: SessionRecord): SessionRecord {
  // Spent times are kept index for index with the spent hashes, so none without them.
  const spentTimes = record.spentRefreshTokenTimes ? { spentRefreshTokenTimes: [] } : {};
  return { ...record, refreshTokenHash: REBUILT_REFRESH_TOKEN_HASH, spentRefreshTokenHashes: [], ...spentTimes, lastRefreshSealed: null };
}

function fold(events: WaymarkEvent[]) {
  return events.reduce(foldEvent, emptyRebuiltState());
}

describe('rebuilding store state from events', () => {
  it('given a SessionStarted, then the session is the one the decision recorded, without its refresh hash', () => {
    const started = start('s-1', 'u-1', t0);
    const state = fold([started.event]);
    expect(state.sessions.get('s-1')).toEqual(withoutSecrets(started.record));
    expect(state.sessions.get('s-1')?.tokenTtlMs).toBe(15 * MINUTE);
    expect(state.sessions.get('s-1')?.refreshTtlMs).toBe(30 * 24 * 60 * MINUTE);
  });

  it('given refresh, extend and revoke decisions, then each folded step equals the decided record except secrets', () => {
    const started = start('s-1', 'u-1', t0);
    const refreshed = decideRefresh(started.record, {
      now: t0 + 10 * MINUTE,
      eventId: 'e2',
      revocationEventId: 'e2-revoke',
      meta,
      presentedHash: 'h0',
      graceMs: 10_000,
      nextRefreshHash: 'h1',
    });
    if (refreshed.kind !== 'rotate') throw new Error(`expected a rotation, got ${refreshed.kind}`);
    const extended = decideExtend(refreshed.record, 60 * MINUTE, { now: t0 + 20 * MINUTE, eventId: 'e3', meta });
    if (extended.kind !== 'extended') throw new Error(`expected an extension, got ${extended.kind}`);
    const revoked = decideRevoke(extended.record, 'requested', { now: t0 + 30 * MINUTE, eventId: 'e4', meta });
    if (!revoked) throw new Error('expected a revocation');

    const state = emptyRebuiltState();
    foldEvent(state, started.event);
    foldEvent(state, refreshed.event);
    expect(state.sessions.get('s-1')).toEqual(withoutSecrets(refreshed.record));
    foldEvent(state, extended.event);
    expect(state.sessions.get('s-1')).toEqual(withoutSecrets(extended.record));
    foldEvent(state, revoked.event);
    expect(state.sessions.get('s-1')).toEqual(withoutSecrets(revoked.record));
    expect(state.sessions.get('s-1')).toMatchObject({ status: 'revoked', revokeReason: 'requested', version: 3, generation: 1 });
    expect(state.ignored).toBe(0);
  });

  it('given events of a session never started, or a second revocation, then they are counted as ignored and change nothing', () => {
    const started = start('s-1', 'u-1', t0);
    const revoked = decideRevoke(started.record, 'requested', { now: t0 + MINUTE, eventId: 'e2', meta });
    if (!revoked) throw new Error('expected a revocation');
    const orphan = { ...revoked.event, id: 'e-orphan', sessionId: 's-unknown' };
    const state = fold([orphan, started.event, revoked.event, { ...revoked.event, id: 'e3' }]);
    expect(state.sessions.size).toBe(1);
    expect(state.sessions.get('s-1')).toEqual(withoutSecrets(revoked.record));
    expect(state.ignored).toBe(2);
    expect(evolveSession(started.record, started.event)).toBeUndefined();
  });

  it('given an event delivered twice, then it is folded once and counted as a duplicate', () => {
    const started = start('s-1', 'u-1', t0);
    const extended = decideExtend(started.record, 60 * MINUTE, { now: t0 + MINUTE, eventId: 'e2', meta });
    if (extended.kind !== 'extended') throw new Error(`expected an extension, got ${extended.kind}`);
    const state = fold([started.event, extended.event, started.event, extended.event]);
    expect(state.sessions.get('s-1')).toEqual(withoutSecrets(extended.record));
    expect(state.sessions.get('s-1')?.version).toBe(1);
    expect(state.duplicates).toBe(2);
    expect(state.ignored).toBe(0);
  });

  it('given activity events, then the session state does not change', () => {
    const started = start('s-1', 'u-1', t0);
    const activity: SessionActivityRecorded = { ...started.event, id: 'a1', type: 'SessionActivityRecorded', data: { name: 'checkout', status: 'ok' } };
    const state = fold([started.event, activity]);
    expect(state.sessions.get('s-1')).toEqual(withoutSecrets(started.record));
    expect(state.ignored).toBe(0);
  });

  it('given spec created, updated and deleted, then the spec is stored deleted at the last revision', () => {
    const context = { product: 'shop', env: 'prd', now: t0, eventId: 'x1', meta };
    const created = decideCreateSpec(undefined, spec, context);
    const updated = decideUpdateSpec(created.stored, { ...spec, name: 'Web v2' }, 1, { ...context, eventId: 'x2' });
    const state = fold([created.event, updated.event]);
    expect(state.specs.get(specField('shop', 'web'))).toEqual(updated.stored);
    const deleted = decideDeleteSpec(updated.stored, 'web', { ...context, eventId: 'x3' });
    foldEvent(state, deleted.event);
    expect(state.specs.get(specField('shop', 'web'))).toEqual(deleted.stored);
    expect(deleted.stored).toMatchObject({ revision: 3, deleted: true });
  });
});
