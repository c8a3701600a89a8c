import { KeyObject, createSecretKey, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { StoredKey, TokenKeyRing, generateStoredKey, loadOrCreateSecretFile } from '@waymark/tokens';

/**
 * The privacy key file (`PRIVACY_KEYS_FILE`, or `PRIVACY_KEYS` as JSON): the two secrets
 * crypto-shredding rests on (docs/privacy.md). Kept apart from the token keys because
 * its lifecycle differs: token keys rotate and old ones are dropped, while a lookup key
 * must never change (every stored lookup is an HMAC under it) and a wrap key may be
 * dropped only once no user key is wrapped with it any more.
 */
export interface PrivacyKeyFile {
  /** 256-bit HMAC key (base64url): an identifier's lookup in the user-key store. */
  lookupKey: string;
  /** Wrap the per-user data keys (A256GCM); the first wraps, every one listed unwraps. */
  wrapKeys: StoredKey[];
}

export class PrivacyKeyRing {
  private constructor(
    readonly lookupKey: KeyObject,
    readonly wrapRing: TokenKeyRing,
  ) {}

  static fromFile(file: PrivacyKeyFile): PrivacyKeyRing {
    if (typeof file !== 'object' || file === null || typeof file.lookupKey !== 'string') {
      throw new Error('the privacy key file must hold { "lookupKey": <base64url>, "wrapKeys": [<JWK>, ...] }');
    }
    const lookup = Buffer.from(file.lookupKey, 'base64url');
    if (lookup.length !== 32) throw new Error(`lookupKey must be 256 bits, found ${lookup.length * 8}`);
    return new PrivacyKeyRing(createSecretKey(lookup), TokenKeyRing.fromKeyFile({ keys: file.wrapKeys }));
  }
}

export function generatePrivacyKeyFile(): PrivacyKeyFile {
  return { lookupKey: randomBytes(32).toString('base64url'), wrapKeys: [generateStoredKey()] };
}

/**
 * Reads the privacy key file, creating it (mode 0600) when it does not exist and
 * creation is allowed (outside production, as for the token keys).
 */
export function loadOrCreatePrivacyKeyFile(path: string, allowCreate: boolean): { file: PrivacyKeyFile; created: boolean } {
  return loadOrCreateSecretFile(path, allowCreate, 'privacy key file', generatePrivacyKeyFile);
}

/**
 * Where the privacy keys are when PRIVACY_KEYS_FILE is not set: beside the token key
 * file, so processes that share one (API instances, the projector, the CLI) share both.
 */
export function defaultPrivacyKeysFile(tokenKeysFile: string): string {
  return join(dirname(tokenKeysFile), 'privacy-keys.json');
}

/** The key ring from `PRIVACY_KEYS` (JSON) when set, else from the file. */
export function loadPrivacyKeyRing(options: { file: string; json?: string; mayCreate: boolean }): { ring: PrivacyKeyRing; created: boolean } {
  if (options.json) {
    let parsed: PrivacyKeyFile;
    try {
      parsed = JSON.parse(options.json) as PrivacyKeyFile;
    } catch {
      throw new Error('PRIVACY_KEYS: not valid JSON (expected { "lookupKey": …, "wrapKeys": [...] })');
    }
    return { ring: PrivacyKeyRing.fromFile(parsed), created: false };
  }
  const { file, created } = loadOrCreatePrivacyKeyFile(options.file, options.mayCreate);
  return { ring: PrivacyKeyRing.fromFile(file), created };
}
