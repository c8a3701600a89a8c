import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { isJwkThumbprint, jwkThumbprint } from './jwk-thumbprint';

describe('jwkThumbprint (RFC 7638)', () => {
  it('given the RSA key of RFC 7638 §3.1, then it gives the thumbprint the RFC gives', () => {
    const jwk = {
      kty: 'RSA',
      n:
        '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs' +
        'tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91' +
        'CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it.each([
    ['ES256', {}],
    ['EdDSA', { crv: 'Ed25519' }],
    ['RS256', { modulusLength: 2048 }],
  ])('given a %s public key, then it agrees with jose and has the form start-session asks for', async (alg, options) => {
    const { publicKey } = await generateKeyPair(alg, options);
    const jwk = await exportJWK(publicKey);
    const jkt = jwkThumbprint({ ...jwk, kid: 'ignored', use: 'sig' });
    expect(jkt).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
    expect(isJwkThumbprint(jkt as string)).toBe(true);
  });

  it('given a symmetric key, an unknown type or a missing member, then there is none', () => {
    expect(jwkThumbprint({ kty: 'oct', k: 'c2VjcmV0' })).toBeUndefined();
    expect(jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'abc' })).toBeUndefined();
    expect(jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'abc', y: 7 })).toBeUndefined();
    expect(jwkThumbprint({})).toBeUndefined();
  });

  it('isJwkThumbprint: 43 base64url characters whose last one leaves the unused bits zero', () => {
    expect(isJwkThumbprint('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')).toBe(true);
    expect(isJwkThumbprint('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xt')).toBe(false);
    expect(isJwkThumbprint('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs=')).toBe(false);
    expect(isJwkThumbprint('NzbLsXh8uDCcd+6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')).toBe(false);
    expect(isJwkThumbprint('')).toBe(false);
  });
});
