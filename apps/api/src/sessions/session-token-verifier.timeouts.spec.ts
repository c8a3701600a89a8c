import { SessionSpec, decideStartSession } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { SessionStore, SqliteSessionStore } from '@waymark/session-store';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { DpopProofVerifier, SessionTokenService, TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import { RevocationList } from './revocation-list';
import { SessionTokenVerifier } from './session-token-verifier';
import { SessionUseTracker, USE_FLUSH_INTERVAL_MS, USE_KEPT_MS } from './session-use-tracker';

const MINUTE = 60_000;
const t0 = Date.UTC(2026, 10, 26, 9, 0, 0);
const scope = { product: 'p', env: 'snd', tag: 't' };
const spec: SessionSpec = {
  tag: 't',
  name: 'T',
  selector: 'userId',
  expiry: { value: 1, unit: 'hours' },
  refreshExpiry: { value: 7, unit: 'days' },
  idleTimeout: { value: 30, unit: 'minutes' },
};

/** One API instance's verifier over a store that may be shared with another instance (`peer`). */
function instance(store: SessionStore, tokens: SessionTokenService, clock: () => number) {
  const uses = new SessionUseTracker(store, clock);
  // Unbound tokens never reach the DPoP check.
  const verifier = new SessionTokenVerifier(tokens, new RevocationList(store, clock), uses, store, clock, {} as DpopProofVerifier);
  return { uses, verifier, verify: (token: string, maxAgeSeconds?: number) => verifier.verify(token, scope.product, scope.env, scope.tag, { maxAgeSeconds }) };
}

describe('SessionTokenVerifier: idle timeout and maximum age', () => {
  let db: SqliteConnection;
  let store: SqliteSessionStore;
  let now: number;
  const clock = () => now;
  const tokens = new SessionTokenService(TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] }));

  beforeEach(() => {
    db = openEmbeddedDatabase(':memory:');
    const writer = new GroupCommitWriter(db);
    store = new SqliteSessionStore(db, writer, new SqliteEventLog(db, writer));
    now = t0;
  });

  afterEach(() => db.close());

  async function started(sessionId: string, withAuthTime = true): Promise<string> {
    const decision = decideStartSession({
      ...scope,
      identifier: 'u',
      spec,
      sessionId,
      eventId: `${sessionId.slice(0, -1)}f`,
      now,
      sealedData: 's',
      refreshTokenHash: 'h',
      meta: { source: 'test' },
    });
    await store.create(decision.record, decision.events);
    return tokens.issue({
      sessionId,
      ...scope,
      identifier: 'u',
      data: {},
      issuedAt: now,
      expiresAt: decision.record.expiresAt,
      ...(withAuthTime ? { authTime: now } : {}),
      absoluteExpiresAt: decision.record.absoluteExpiresAt,
      idleTimeoutMs: decision.record.idleTimeoutMs,
    });
  }

  it('reads no store while its own view says the session is in use, and records the use in memory only', async () => {
    const a = instance(store, tokens, clock);
    const token = await started('01900000-0000-7000-8000-000000000001');
    const find = jest.spyOn(store, 'find');
    const recordUses = jest.spyOn(store, 'recordUses');
    for (let minute = 10; minute <= 50; minute += 10) {
      now = t0 + minute * MINUTE;
      expect(await a.verify(token)).toMatchObject({ valid: true });
    }
    expect(find).not.toHaveBeenCalled();
    expect(recordUses).not.toHaveBeenCalled();
    // One batch carries the last use of each session.
    await a.uses.flush();
    expect(recordUses).toHaveBeenCalledWith([{ sessionId: '01900000-0000-7000-8000-000000000001', lastUsedAt: t0 + 50 * MINUTE }]);
  });

  it('asks the store when its own view says idle, and accepts a use another instance wrote there', async () => {
    const a = instance(store, tokens, clock);
    const b = instance(store, tokens, clock);
    const token = await started('01900000-0000-7000-8000-000000000002');
    now = t0 + 20 * MINUTE;
    expect(await b.verify(token)).toMatchObject({ valid: true });
    await b.uses.flush();

    now = t0 + 45 * MINUTE;
    expect(await a.verify(token)).toMatchObject({ valid: true });
    // A's next verify needs no store read: it learnt the use, then made its own.
    const find = jest.spyOn(store, 'find');
    now = t0 + 59 * MINUTE;
    expect(await a.verify(token)).toMatchObject({ valid: true });
    expect(find).not.toHaveBeenCalled();
  });

  it('refuses as idle only past the idle timeout plus the flush interval, by the store', async () => {
    const a = instance(store, tokens, clock);
    const token = await started('01900000-0000-7000-8000-000000000003');
    now = t0 + 30 * MINUTE + USE_FLUSH_INTERVAL_MS;
    expect(await a.verify(token)).toMatchObject({ valid: true });
    const b = instance(store, tokens, clock);
    now = t0 + 30 * MINUTE + USE_FLUSH_INTERVAL_MS + 1;
    // A's verify is in A's memory only; B sees the store, which has the start.
    expect(await b.verify(token)).toEqual({ valid: false, reason: 'idle' });
  });

  it('refuses a token older than maxAgeSeconds, and one without auth_time whenever a maximum age is asked', async () => {
    const a = instance(store, tokens, clock);
    const token = await started('01900000-0000-7000-8000-000000000004');
    const legacy = await started('01900000-0000-7000-8000-000000000005', false);
    now = t0 + 2 * MINUTE;
    expect(await a.verify(token, 180)).toMatchObject({ valid: true, claims: { authTime: t0 } });
    expect(await a.verify(token, 60)).toEqual({ valid: false, reason: 'stale' });
    expect(await a.verify(legacy)).toMatchObject({ valid: true });
    expect(await a.verify(legacy, 3_600)).toEqual({ valid: false, reason: 'stale' });
  });
});

describe('SessionUseTracker memory', () => {
  it('drops a use once written and older than USE_KEPT_MS, keeps one not yet written', async () => {
    const written: unknown[] = [];
    let now = t0;
    const store = { recordUses: async (uses: unknown[]) => void written.push(...uses) } as unknown as SessionStore;
    const uses = new SessionUseTracker(store, () => now);
    uses.touch('old', now, 7 * 24 * 60 * MINUTE);
    await uses.flush();
    now += USE_KEPT_MS;
    uses.touch('recent', now, 7 * 24 * 60 * MINUTE);
    await uses.flush();
    expect(uses.lastUse('old')).toBe(t0);
    now += 1;
    await uses.flush();
    expect(uses.lastUse('old')).toBeUndefined();
    expect(uses.lastUse('recent')).toBe(t0 + USE_KEPT_MS);
    expect(written).toEqual([
      { sessionId: 'old', lastUsedAt: t0 },
      { sessionId: 'recent', lastUsedAt: t0 + USE_KEPT_MS },
    ]);
  });
});
