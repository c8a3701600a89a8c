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
  // What was just sealed, by its sealed text: the event log re-seals a new session's data
  // with the user's own key (crypto-shredding) right after the handler sealed it here,
  // and remembering the plaintext spares it an AES-GCM decryption per start.
  private readonly sealedRecently = new OpenedTokenCache<string>(1024);

  constructor(keys: TokenKeyRing) {
    this.jwe = new CompactJwe(keys, SEALED_DATA_TYPE);
  }

  async seal(data: Record<string, unknown>): Promise<string> {
    const plaintext = JSON.stringify(data);
    const sealed = this.jwe.encrypt(plaintext);
    this.sealedRecently.set(sealed, plaintext);
    return sealed;
  }

  /** The JSON text a sealed value opens to, or undefined when it does not open with the ring. */
  plaintextOf(sealed: string): string | undefined {
    return this.sealedRecently.get(sealed) ?? this.jwe.decrypt(sealed);
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
