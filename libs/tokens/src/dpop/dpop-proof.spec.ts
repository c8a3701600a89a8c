import { SignJWT, base64url } from 'jose';
import { createHash } from 'node:crypto';
import { DpopClient } from '../../../../test/support/dpop-client';
import { DPOP_JTI_TTL_MS, DpopKeyCache, accessTokenHash, checkDpopProof, sameTarget } from './dpop-proof';
import { DpopProofVerifier } from './dpop-proof-verifier';
import { MemoryDpopReplayGuard } from './dpop-replay-guard';

const URL_ = 'https://api.example.com/orders';
const TOKEN = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..session-token';
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const IAT = NOW / 1000;

/** Proofs come from jose (test/support/dpop-client.ts): an implementation other than the one under test. */
describe('checkDpopProof (RFC 9449 §4.3)', () => {
  let client: DpopClient;
  const keys = new DpopKeyCache();
  const check = (proof: string, request: { method?: string; url?: string } = {}, jkt = client.jkt, now = NOW) =>
    checkDpopProof({ proof, method: request.method ?? 'GET', url: request.url ?? URL_ }, { jkt, accessToken: TOKEN }, now, keys);
  const good = (extra: Partial<Parameters<DpopClient['proof']>[0]> = {}) => client.proof({ method: 'GET', url: URL_, accessToken: TOKEN, iat: IAT, ...extra });

  beforeAll(async () => {
    client = await DpopClient.create('ES256');
  });

  it('given a proof made for the request and the token with the bound key, then it passes with its jti', async () => {
    expect(check(await good({ jti: 'proof-1' }))).toEqual({ valid: true, jti: 'proof-1' });
  });

  it.each([
    ['ES384', {}],
    ['ES512', {}],
    ['RS256', { modulusLength: 2048 }],
    ['PS256', { modulusLength: 2048 }],
    ['EdDSA', { crv: 'Ed25519' }],
  ])('given a proof signed with %s, then it passes', async (alg, options) => {
    const other = await DpopClient.create(alg, options);
    const proof = await other.proof({ method: 'POST', url: URL_, accessToken: TOKEN, iat: IAT });
    expect(check(proof, { method: 'POST' }, other.jkt)).toMatchObject({ valid: true });
  });

  it('given the htu of another URL, then it is refused', async () => {
    expect(check(await good({ url: 'https://api.example.com/admin' }))).toEqual({ valid: false, problem: 'the proof htu does not match the request URL' });
    expect(check(await good({ url: 'https://evil.example.com/orders' }))).toMatchObject({ valid: false });
    expect(check(await good({ url: 'http://api.example.com/orders' }))).toMatchObject({ valid: false });
  });

  it('given the htu and the URL differing only in query, fragment, host case or default port, then they match (§4.3 step 9)', async () => {
    expect(check(await good({ url: 'https://API.Example.com:443/orders#top' }), { url: 'https://api.example.com/orders?page=2' })).toMatchObject({
      valid: true,
    });
    expect(sameTarget('https://api.example.com/a/../orders', 'https://api.example.com/orders')).toBe(true);
    expect(sameTarget('https://api.example.com/orders/', 'https://api.example.com/orders')).toBe(false);
    expect(sameTarget('ftp://api.example.com/orders', 'ftp://api.example.com/orders')).toBe(false);
    expect(sameTarget('not a url', 'not a url')).toBe(false);
  });

  it('given the htm of another method, or of another case, then it is refused', async () => {
    expect(check(await good({ method: 'POST' }))).toEqual({ valid: false, problem: 'the proof htm does not match the request method' });
    expect(check(await good({ method: 'get' }))).toMatchObject({ valid: false });
  });

  it("given a proof signed by another key than the token's, then it is refused (thumbprint mismatch)", async () => {
    const thief = await DpopClient.create('ES256');
    const proof = await thief.proof({ method: 'GET', url: URL_, accessToken: TOKEN, iat: IAT });
    expect(check(proof)).toEqual({ valid: false, problem: "the proof is signed with another key than the token's" });
  });

  it("given another key's signature under the bound key's jwk, then the signature check refuses it", async () => {
    const thief = await DpopClient.create('ES256');
    const proof = await thief.proof({ method: 'GET', url: URL_, accessToken: TOKEN, iat: IAT, header: { jwk: client.publicJwk } });
    expect(check(proof)).toEqual({ valid: false, problem: 'the proof signature does not verify' });
  });

  it('given a tampered claim, then the signature check refuses it', async () => {
    const [header, , signature] = (await good()).split('.');
    const claims = base64url.encode(JSON.stringify({ htm: 'GET', htu: URL_, iat: IAT, jti: 'x', ath: accessTokenHash(TOKEN) }));
    expect(check(`${header}.${claims}.${signature}`)).toEqual({ valid: false, problem: 'the proof signature does not verify' });
  });

  it('given an iat older than 60 s or more than 10 s ahead, then it is refused; inside the window it passes', async () => {
    expect(check(await good({ iat: IAT - 61 }))).toEqual({ valid: false, problem: 'the proof is too old (iat)' });
    expect(check(await good({ iat: IAT + 11 }))).toEqual({ valid: false, problem: 'the proof is issued in the future (iat)' });
    expect(check(await good({ iat: IAT - 59 }))).toMatchObject({ valid: true });
    expect(check(await good({ iat: IAT + 9 }))).toMatchObject({ valid: true });
  });

  it('given an ath of another token, or none, then it is refused', async () => {
    expect(check(await good({ accessToken: 'another-token' }))).toEqual({ valid: false, problem: 'the proof ath does not match the token' });
    expect(check(await good({ accessToken: undefined }))).toMatchObject({ valid: false, problem: 'the proof ath does not match the token' });
    expect(accessTokenHash(TOKEN)).toBe(createHash('sha256').update(TOKEN).digest('base64url'));
  });

  it('given alg none, then it is refused', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: client.publicJwk }));
    const claims = base64url.encode(JSON.stringify({ htm: 'GET', htu: URL_, iat: IAT, jti: 'n', ath: accessTokenHash(TOKEN) }));
    expect(check(`${header}.${claims}.`)).toMatchObject({ valid: false, problem: expect.stringContaining("the proof's alg must be one of") });
  });

  it('given HS256 (a MAC with a shared secret), then it is refused', async () => {
    const proof = await new SignJWT({ htm: 'GET', htu: URL_, ath: accessTokenHash(TOKEN) })
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: client.publicJwk })
      .setJti('h')
      .setIssuedAt(IAT)
      .sign(new Uint8Array(32).fill(7));
    expect(check(proof)).toMatchObject({ valid: false, problem: expect.stringContaining("the proof's alg must be one of") });
  });

  it('given another typ, a private jwk, a jwk of another type than alg, crit, no jti or no jwk, then it is refused', async () => {
    expect(check(await good({ header: { typ: 'JWT' } }))).toEqual({ valid: false, problem: "the proof's typ must be dpop+jwt" });
    expect(check(await good({ header: { jwk: { ...client.publicJwk, d: 'private' } } }))).toEqual({
      valid: false,
      problem: 'the proof jwk must be a public key',
    });
    const rsa = await DpopClient.create('RS256', { modulusLength: 2048 });
    expect(check(await good({ header: { jwk: rsa.publicJwk } }), {}, rsa.jkt)).toEqual({ valid: false, problem: 'the proof jwk does not fit alg ES256' });
    expect(check(await good({ header: { crit: ['b64'], b64: true } }))).toEqual({ valid: false, problem: 'the proof header must not carry crit' });
    expect(check(await good({ header: { jwk: undefined } }))).toEqual({ valid: false, problem: 'the proof header has no jwk' });
    expect(check('a.b')).toEqual({ valid: false, problem: 'the proof is not a compact JWS' });
    expect(check('x'.repeat(9000))).toEqual({ valid: false, problem: 'the proof is too long' });
  });

  it('given a proof without a jti, or with a jti too long to remember, then it is refused', async () => {
    expect(check(await good({ jti: 'j'.repeat(257) }))).toEqual({ valid: false, problem: 'the proof needs a jti of 1 to 256 characters' });
    expect(check(await good({ claims: { jti: undefined } }))).toEqual({ valid: false, problem: 'the proof needs a jti of 1 to 256 characters' });
  });
});

describe('DpopProofVerifier', () => {
  it('given a proof already accepted, then the same proof (same jti) is refused until its window has passed', async () => {
    let now = NOW;
    const verifier = new DpopProofVerifier(new MemoryDpopReplayGuard(() => now));
    const client = await DpopClient.create();
    const proof = await client.proof({ method: 'GET', url: URL_, accessToken: TOKEN, iat: IAT, jti: 'once' });
    const presented = { proof, method: 'GET', url: URL_ };
    const binding = { jkt: client.jkt, accessToken: TOKEN };
    expect(await verifier.verify(presented, binding, now)).toEqual({ valid: true });
    expect(await verifier.verify(presented, binding, now)).toEqual({ valid: false, problem: 'the proof was already used (jti)' });
    // A new proof with a new jti from the same key is fine.
    const next = await client.proof({ method: 'GET', url: URL_, accessToken: TOKEN, iat: IAT, jti: 'twice' });
    expect(await verifier.verify({ ...presented, proof: next }, binding, now)).toEqual({ valid: true });
    // Once the jti is forgotten the proof is too old anyway.
    now += DPOP_JTI_TTL_MS;
    expect(await verifier.verify(presented, binding, now)).toEqual({ valid: false, problem: 'the proof is too old (iat)' });
  });

  it('given a proof that fails a check, then its jti is not taken (a correct proof with it still passes)', async () => {
    const verifier = new DpopProofVerifier(new MemoryDpopReplayGuard(() => NOW));
    const client = await DpopClient.create();
    const wrong = await client.proof({ method: 'GET', url: URL_, accessToken: 'other', iat: IAT, jti: 'j' });
    const right = await client.proof({ method: 'GET', url: URL_, accessToken: TOKEN, iat: IAT, jti: 'j' });
    const binding = { jkt: client.jkt, accessToken: TOKEN };
    expect(await verifier.verify({ proof: wrong, method: 'GET', url: URL_ }, binding, NOW)).toMatchObject({ valid: false });
    expect(await verifier.verify({ proof: right, method: 'GET', url: URL_ }, binding, NOW)).toEqual({ valid: true });
  });
});
