import { SqliteEventLog } from '@waymark/event-log';
import { SqliteSessionStore } from '@waymark/session-store';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { DpopProofVerifier, MemoryDpopReplayGuard, SessionTokenService, TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import { DpopClient } from '../../../../test/support/dpop-client';
import { RevocationList } from './revocation-list';
import { SessionTokenVerifier } from './session-token-verifier';
import { SessionUseTracker } from './session-use-tracker';

const now = Date.UTC(2026, 11, 3, 12, 0, 0);
const scope = { product: 'p', env: 'snd', tag: 't' };
const URL_ = 'https://shop.example.com/api/orders';

describe('SessionTokenVerifier: DPoP-bound tokens', () => {
  let db: SqliteConnection;
  let verifier: SessionTokenVerifier;
  let proofs: DpopProofVerifier;
  let client: DpopClient;
  const tokens = new SessionTokenService(TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] }));
  const SESSION = '01900000-0000-7000-8000-000000000001';
  const issue = (jkt?: string, idleTimeoutMs?: number) =>
    tokens.issue({ ...scope, sessionId: SESSION, identifier: 'u', data: {}, issuedAt: now, expiresAt: now + 3_600_000, jkt, idleTimeoutMs });
  const proofFor = (token: string) => client.proof({ method: 'GET', url: URL_, accessToken: token, iat: now / 1000 });
  const verify = (token: string, options: Parameters<SessionTokenVerifier['verify']>[4] = {}) =>
    verifier.verify(token, scope.product, scope.env, scope.tag, options);

  beforeAll(async () => {
    client = await DpopClient.create('ES256');
  });

  beforeEach(() => {
    db = openEmbeddedDatabase(':memory:');
    const writer = new GroupCommitWriter(db);
    const store = new SqliteSessionStore(db, writer, new SqliteEventLog(db, writer));
    proofs = new DpopProofVerifier(new MemoryDpopReplayGuard(() => now));
    verifier = new SessionTokenVerifier(tokens, new RevocationList(store, () => now), new SessionUseTracker(store, () => now), store, () => now, proofs);
  });

  afterEach(() => db.close());

  it('given a bound token and the dpop option, then a good proof passes, none or a replayed one is refused with reason dpop', async () => {
    const token = await issue(client.jkt);
    const proof = await proofFor(token);
    expect(await verify(token, { dpop: { proof: { proof, method: 'GET', url: URL_ } } })).toMatchObject({ valid: true, claims: { jkt: client.jkt } });
    expect(await verify(token, { dpop: { proof: { proof, method: 'GET', url: URL_ } } })).toEqual({
      valid: false,
      reason: 'dpop',
      detail: 'the proof was already used (jti)',
    });
    expect(await verify(token, { dpop: { proof: undefined } })).toEqual({
      valid: false,
      reason: 'dpop',
      detail: 'the token is bound to a key: a DPoP proof is required',
    });
  });

  it('given an unbound token, then no proof is checked even when one is sent (no cost, not looked at)', async () => {
    const check = jest.spyOn(proofs, 'verify');
    const token = await issue();
    expect(await verify(token, { dpop: { proof: { proof: 'not.a.proof', method: 'GET', url: URL_ } } })).toMatchObject({ valid: true });
    expect(await verify(token, { dpop: { proof: undefined } })).toMatchObject({ valid: true });
    expect(check).not.toHaveBeenCalled();
  });

  it('given a bound token without the dpop option (activity: the backend verified the call), then the binding is not checked', async () => {
    const check = jest.spyOn(proofs, 'verify');
    expect(await verify(await issue(client.jkt))).toMatchObject({ valid: true });
    expect(check).not.toHaveBeenCalled();
  });

  it('given a refused proof, then the verify is no use of the session (a thief without the key cannot keep it from going idle)', async () => {
    const token = await issue(client.jkt, 30 * 60_000);
    const uses = (verifier as unknown as { uses: SessionUseTracker }).uses;
    expect(await verify(token, { dpop: { proof: undefined } })).toMatchObject({ valid: false, reason: 'dpop' });
    expect(uses.lastUse(SESSION)).toBeUndefined();
    // The same token with its proof is a use.
    expect(await verify(token, { dpop: { proof: { proof: await proofFor(token), method: 'GET', url: URL_ } } })).toMatchObject({ valid: true });
    expect(uses.lastUse(SESSION)).toBe(now);
  });
});
