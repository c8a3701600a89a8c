import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, type KeyLike } from 'jose';
import { createHash, randomUUID } from 'node:crypto';

/** What a proof may be made of; every part defaults to a correct proof for the request. */
export interface ProofOptions {
  method: string;
  url: string;
  /** The session token the proof goes with (`ath`); omitted when undefined. */
  accessToken?: string;
  jti?: string;
  /** Seconds since the epoch. */
  iat?: number;
  /** Overrides of the protected header (`typ`, `alg`, `jwk`). */
  header?: Record<string, unknown>;
  /** Overrides of the claims (`ath`, `htu`, `jti`, ...); undefined removes a claim. */
  claims?: Record<string, unknown>;
}

/**
 * A DPoP client as a browser or app would be, made with jose (an implementation of
 * its own, not Waymark's code): a key pair, its RFC 7638 thumbprint, and proofs.
 */
export class DpopClient {
  private constructor(
    readonly alg: string,
    private readonly privateKey: KeyLike,
    readonly publicJwk: JWK,
    readonly jkt: string,
  ) {}

  static async create(alg = 'ES256', options: { crv?: string; modulusLength?: number } = {}): Promise<DpopClient> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { crv: options.crv, modulusLength: options.modulusLength });
    const publicJwk = await exportJWK(publicKey);
    return new DpopClient(alg, privateKey, publicJwk, await calculateJwkThumbprint(publicJwk, 'sha256'));
  }

  async proof(options: ProofOptions): Promise<string> {
    const claims: Record<string, unknown> = {
      jti: options.jti ?? randomUUID(),
      iat: options.iat ?? Math.floor(Date.now() / 1000),
      htm: options.method,
      htu: options.url,
      ...(options.accessToken === undefined ? {} : { ath: createHash('sha256').update(options.accessToken).digest('base64url') }),
      ...options.claims,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return new SignJWT(claims).setProtectedHeader({ alg: this.alg, typ: 'dpop+jwt', jwk: this.publicJwk, ...options.header }).sign(this.privateKey);
  }
}
