import { KeyObject, createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A symmetric JWK as stored in the key file (RFC 7517, `kty: oct`). */
export interface StoredKey {
  kty: 'oct';
  kid: string;
  k: string;
  alg: 'dir';
  use: 'enc';
}

export interface KeyFile {
  /** The first key encrypts; every key listed still decrypts (rotation). */
  keys: StoredKey[];
}

/**
 * The keys tokens and sealed data are encrypted with. Imported once into KeyObjects
 * (node:crypto is faster with KeyObjects than with raw bytes per call) and
 * looked up by `kid` from our own list only: a token never names where to fetch a key.
 */
export class TokenKeyRing {
  private readonly byKid: ReadonlyMap<string, KeyObject>;

  private constructor(
    readonly activeKid: string,
    keys: ReadonlyMap<string, KeyObject>,
  ) {
    this.byKid = keys;
  }

  static fromKeyFile(file: KeyFile): TokenKeyRing {
    if (!Array.isArray(file.keys) || file.keys.length === 0) throw new Error('key file holds no keys');
    const keys = new Map<string, KeyObject>();
    for (const key of file.keys) {
      if (key.kty !== 'oct' || typeof key.kid !== 'string' || !key.kid || typeof key.k !== 'string') {
        throw new Error('every key must be a symmetric JWK with kty "oct", a kid and k');
      }
      const bytes = Buffer.from(key.k, 'base64url');
      // A256GCM with `dir` needs exactly 256 bits; RFC 8725 asks for high-entropy keys.
      if (bytes.length !== 32) throw new Error(`key ${key.kid} must be 256 bits, found ${bytes.length * 8}`);
      keys.set(key.kid, createSecretKey(bytes));
    }
    return new TokenKeyRing(file.keys[0].kid, keys);
  }

  get activeKey(): KeyObject {
    return this.byKid.get(this.activeKid) as KeyObject;
  }

  keyFor(kid: unknown): KeyObject | undefined {
    return typeof kid === 'string' ? this.byKid.get(kid) : undefined;
  }

  /** Every kid that still decrypts, the active one first. */
  kids(): readonly string[] {
    return [...this.byKid.keys()];
  }
}

export function generateStoredKey(): StoredKey {
  return { kty: 'oct', kid: randomUUID(), k: randomBytes(32).toString('base64url'), alg: 'dir', use: 'enc' };
}

/**
 * Reads a JSON secret file, or creates it (mode 0600) with `make()` when it does not
 * exist and creation is allowed. Two processes sharing the file (a second API, the
 * projector) may race to create it: the second uses the first's. `what` names the file
 * in the error when it is missing.
 */
export function loadOrCreateSecretFile<T>(path: string, allowCreate: boolean, what: string, make: () => T): { file: T; created: boolean } {
  if (existsSync(path)) return { file: JSON.parse(readFileSync(path, 'utf8')) as T, created: false };
  if (!allowCreate) throw new Error(`${what} not found: ${path}`);
  const file = make();
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { file: JSON.parse(readFileSync(path, 'utf8')) as T, created: false };
    throw error;
  }
  chmodSync(path, 0o600);
  return { file, created: true };
}

/**
 * Reads the key file, creating it (mode 0600) with one fresh key when it does not
 * exist and creation is allowed, so a fresh clone starts with no settings.
 */
export function loadOrCreateKeyFile(path: string, allowCreate: boolean): { file: KeyFile; created: boolean } {
  return loadOrCreateSecretFile<KeyFile>(path, allowCreate, 'token key file', () => ({ keys: [generateStoredKey()] }));
}

/**
 * The token key ring from `TOKEN_KEYS` (JSON) when set, else from the file (created
 * when allowed). Errors name the setting at fault.
 */
export function loadTokenKeyRing(options: { file: string; json?: string; mayCreate: boolean }): { ring: TokenKeyRing; created: boolean } {
  const setting = options.json ? 'TOKEN_KEYS' : 'TOKEN_KEYS_FILE';
  let file: KeyFile;
  let created = false;
  if (options.json) {
    try {
      file = JSON.parse(options.json) as KeyFile;
    } catch {
      throw new Error('TOKEN_KEYS: not valid JSON (expected a JWK set: { "keys": [...] })');
    }
  } else {
    try {
      ({ file, created } = loadOrCreateKeyFile(options.file, options.mayCreate));
    } catch (error) {
      throw new Error(`${setting}: ${(error as Error).message}`, { cause: error });
    }
  }
  try {
    return { ring: TokenKeyRing.fromKeyFile(file), created };
  } catch (error) {
    throw new Error(`${setting}: ${(error as Error).message}`, { cause: error });
  }
}
