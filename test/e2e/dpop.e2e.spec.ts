import { WaymarkClient, WaymarkError, jwkThumbprint } from '@waymark/sdk';
import { SignJWT, base64url } from 'jose';
import { createHash, randomUUID } from 'node:crypto';
import { RunningApi, TEST_KEY, startApi } from '../support/api-app';
import { DpopClient } from '../support/dpop-client';

const product = 'my-product-tag';
const env = 'snd';
const optional = { product, env, tag: 'dpop-optional' };
const required = { product, env, tag: 'dpop-required' };
const unbound = { product, env, tag: 'session-tag' };
const data = { userId: 'dpop-user' };
/** The product's own endpoint its client calls; Waymark never sees that request, only what the backend forwards. */
const ORDERS = 'https://shop.example.com/api/orders';
const now = () => Math.floor(Date.now() / 1000);

/**
 * Sender-constrained sessions (RFC 9449 DPoP, docs/dpop.md) end to end over HTTP, in both
 * modes: the client's key and proofs come from jose, the product's backend is the SDK.
 */
describe('DPoP-bound sessions', () => {
  let api: RunningApi;
  let waymark: WaymarkClient;
  let client: DpopClient;

  beforeAll(async () => {
    api = await startApi();
    waymark = new WaymarkClient({ baseUrl: api.baseUrl, apiKey: TEST_KEY });
    await waymark.specs.create(product, { tag: optional.tag, name: 'DPoP optional', selector: 'userId', senderConstraint: 'dpop-optional' });
    await waymark.specs.create(product, { tag: required.tag, name: 'DPoP required', selector: 'userId', senderConstraint: 'dpop-required' });
    client = await DpopClient.create('ES256');
  });

  afterAll(async () => {
    await api?.close();
  });

  /** What the product's backend does on each call of its client: forward the token and the DPoP header with the request's method and URL. */
  const verify = (token: string, dpop?: { proof: string; method?: string; url?: string }, scope = optional) =>
    waymark.sessions.verify({ ...scope, token, ...(dpop ? { dpop: { method: 'GET', url: ORDERS, ...dpop } } : {}) });
  const proofFor = (token: string, extra: Partial<Parameters<DpopClient['proof']>[0]> = {}, by = client) =>
    by.proof({ method: 'GET', url: ORDERS, accessToken: token, ...extra });
  const refusal = (caught: unknown) => caught as WaymarkError;

  it('given a session started with the client key thumbprint, then verify accepts the token with a fresh proof, and refuses it without one', async () => {
    expect(jwkThumbprint(client.publicJwk)).toBe(client.jkt);
    const session = await waymark.sessions.start({ ...optional, data, jkt: client.jkt });
    expect(await verify(session.token, { proof: await proofFor(session.token) })).toMatchObject({
      valid: true,
      sessionId: session.sessionId,
      identifier: 'dpop-user',
    });
    expect(await verify(session.token)).toEqual({ valid: false, reason: 'dpop', detail: 'the token is bound to a key: a DPoP proof is required' });
  });

  it('given a proof already used (same jti), then it is refused; a new proof passes', async () => {
    const session = await waymark.sessions.start({ ...optional, data, jkt: client.jkt });
    const proof = await proofFor(session.token);
    expect(await verify(session.token, { proof })).toMatchObject({ valid: true });
    expect(await verify(session.token, { proof })).toEqual({ valid: false, reason: 'dpop', detail: 'the proof was already used (jti)' });
    expect(await verify(session.token, { proof: await proofFor(session.token) })).toMatchObject({ valid: true });
  });

  it('given a proof for another URL or method, by another key, too old, for another token, or not signed with a key pair, then each is refused', async () => {
    const session = await waymark.sessions.start({ ...optional, data, jkt: client.jkt });
    const { token } = session;
    const thief = await DpopClient.create('ES256');
    const cases: Array<[string, Promise<unknown>, string]> = [
      [
        'wrong htu',
        verify(token, { proof: await proofFor(token, { url: 'https://shop.example.com/api/admin' }) }),
        'the proof htu does not match the request URL',
      ],
      ['wrong htm', verify(token, { proof: await proofFor(token, { method: 'DELETE' }) }), 'the proof htm does not match the request method'],
      [
        'request forwarded as another method',
        verify(token, { proof: await proofFor(token), method: 'POST' }),
        'the proof htm does not match the request method',
      ],
      ['another key', verify(token, { proof: await proofFor(token, {}, thief) }), "the proof is signed with another key than the token's"],
      ['stale iat', verify(token, { proof: await proofFor(token, { iat: now() - 120 }) }), 'the proof is too old (iat)'],
      ['wrong ath', verify(token, { proof: await proofFor(token, { accessToken: 'some-other-token' }) }), 'the proof ath does not match the token'],
      ['alg none', verify(token, { proof: unsigned(client, token) }), "the proof's alg must be one of"],
      ['alg HS256', verify(token, { proof: await macked(client, token) }), "the proof's alg must be one of"],
    ];
    for (const [what, answer, detail] of cases) {
      expect([what, await answer]).toEqual([what, { valid: false, reason: 'dpop', detail: expect.stringContaining(detail) }]);
    }
    // Query and fragment are not part of the comparison (RFC 9449 §4.3).
    expect(await verify(token, { proof: await proofFor(token), url: `${ORDERS}?page=2` })).toMatchObject({ valid: true });
  });

  it('given a refresh, then the new token is bound to the same key', async () => {
    const session = await waymark.sessions.start({ ...optional, data, jkt: client.jkt });
    const refreshed = await waymark.sessions.refresh({ ...optional, refreshToken: session.refreshToken });
    expect(await verify(refreshed.token)).toMatchObject({ valid: false, reason: 'dpop' });
    expect(await verify(refreshed.token, { proof: await proofFor(refreshed.token, {}, await DpopClient.create()) })).toMatchObject({
      valid: false,
      reason: 'dpop',
    });
    expect(await verify(refreshed.token, { proof: await proofFor(refreshed.token) })).toMatchObject({ valid: true, sessionId: session.sessionId });
  });

  it('given a session started without a key in a dpop-optional spec, then its token verifies as before, with or without a proof', async () => {
    const session = await waymark.sessions.start({ ...optional, data });
    expect(await verify(session.token)).toMatchObject({ valid: true });
    expect(await verify(session.token, { proof: 'not.even.checked' })).toMatchObject({ valid: true });
  });

  it('given activity recorded with a bound token, then it is recorded without a proof (the backend verified the call already)', async () => {
    const session = await waymark.sessions.start({ ...optional, data, jkt: client.jkt });
    expect(await waymark.sessions.track({ ...optional, token: session.token, records: { name: 'GET /api/orders' } })).toEqual({
      recorded: 1,
      sessionId: session.sessionId,
    });
  });

  it('given a spec requiring DPoP, then start without jkt is refused naming jkt; a spec without senderConstraint refuses a jkt', async () => {
    const missing = refusal(await waymark.sessions.start({ ...required, data }).catch((caught: unknown) => caught));
    expect(missing).toMatchObject({ status: 400, code: 'INVALID_REQUEST', fieldErrors: [{ field: 'jkt', message: expect.stringContaining('give jkt') }] });
    const bound = await waymark.sessions.start({ ...required, data, jkt: client.jkt });
    expect(await verify(bound.token, { proof: await proofFor(bound.token) }, required)).toMatchObject({ valid: true });

    const offered = refusal(await waymark.sessions.start({ ...unbound, data, jkt: client.jkt }).catch((caught: unknown) => caught));
    expect(offered).toMatchObject({
      status: 400,
      code: 'INVALID_REQUEST',
      fieldErrors: [{ field: 'jkt', message: expect.stringContaining('senderConstraint is none') }],
    });
  });

  it('given a jkt that is not a SHA-256 thumbprint, or a dpop without url, then the request is refused naming the field', async () => {
    for (const jkt of ['short', `${client.jkt}=`, client.jkt.replace(/.$/, 'B'), 'A'.repeat(44)]) {
      const error = refusal(await waymark.sessions.start({ ...optional, data, jkt }).catch((caught: unknown) => caught));
      expect([jkt, error.status, error.fieldErrors.map((field) => field.field)]).toEqual([jkt, 400, ['jkt']]);
    }
    const session = await waymark.sessions.start({ ...optional, data, jkt: client.jkt });
    const error = refusal(
      await waymark.sessions
        .verify({ ...optional, token: session.token, dpop: { proof: await proofFor(session.token), method: 'GET' } as never })
        .catch((caught: unknown) => caught),
    );
    expect(error).toMatchObject({ status: 400, fieldErrors: [{ field: 'dpop.url' }] });
  });
});

/** An unsecured JWT (alg none) shaped as a DPoP proof. */
function unsigned(client: DpopClient, token: string): string {
  const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: client.publicJwk }));
  const claims = base64url.encode(JSON.stringify({ htm: 'GET', htu: ORDERS, iat: now(), jti: randomUUID(), ath: athOf(token) }));
  return `${header}.${claims}.`;
}

/** A proof MACed with a shared secret (HS256) instead of signed with the client's private key. */
function macked(client: DpopClient, token: string): Promise<string> {
  return new SignJWT({ htm: 'GET', htu: ORDERS, ath: athOf(token) })
    .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: client.publicJwk })
    .setJti(randomUUID())
    .setIssuedAt()
    .sign(new TextEncoder().encode('a shared secret of thirty-two bytes!'));
}

function athOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
