import { CompactEncrypt, compactDecrypt } from 'jose';
import { TokenKeyRing } from './token-key-ring';

const SEALED_DATA_TYPE = 'wm-data';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encrypts session data before it is written to the event log, so the log, Kafka and
 * the read model hold user details only as ciphertext (compact JWE).
 */
export class DataSealer {
  constructor(private readonly keys: TokenKeyRing) {}

  seal(data: Record<string, unknown>): Promise<string> {
    return new CompactEncrypt(encoder.encode(JSON.stringify(data)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: this.keys.activeKid, typ: SEALED_DATA_TYPE })
      .encrypt(this.keys.activeKey);
  }

  async open(sealed: string): Promise<Record<string, unknown>> {
    const { plaintext } = await compactDecrypt(
      sealed,
      (header) => {
        const key = this.keys.keyFor(header.kid);
        if (!key) throw new Error('sealed data was encrypted with a key that is not in the key ring');
        return key;
      },
      { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] },
    );
    return JSON.parse(decoder.decode(plaintext)) as Record<string, unknown>;
  }
}
