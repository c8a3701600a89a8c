import { CompactJwe } from './compact-jwe';
import { OpenedTokenCache, deepFreeze } from './opened-token-cache';
import { TokenKeyRing } from './token-key-ring';

export const SEALED_DATA_TYPE = 'wm-data';

/**
 * Encrypts session data before it is written to the event log, so the log, Kafka and
 * the read model hold user details only as ciphertext (compact JWE, `dir` + `A256GCM`).
 */
export class DataSealer {
  private readonly jwe: CompactJwe;
  // A session's sealed data never changes, and every refresh opens it to mint the new
  // token: opened values are remembered (frozen) like session tokens.
  private readonly opened = new OpenedTokenCache<Record<string, unknown>>();

  constructor(keys: TokenKeyRing) {
    this.jwe = new CompactJwe(keys, SEALED_DATA_TYPE);
  }

  async seal(data: Record<string, unknown>): Promise<string> {
    return this.jwe.encrypt(JSON.stringify(data));
  }

  /** The sealed value, frozen (it may be shared with other callers). */
  async open(sealed: string): Promise<Record<string, unknown>> {
    const cached = this.opened.get(sealed);
    if (cached) return cached;
    const plaintext = this.jwe.decrypt(sealed);
    if (plaintext === undefined) {
      throw new Error('sealed data could not be opened: not sealed by Waymark, tampered, or sealed with a key no longer in the key ring');
    }
    const value = deepFreeze(JSON.parse(plaintext) as Record<string, unknown>);
    this.opened.set(sealed, value);
    return value;
  }
}
