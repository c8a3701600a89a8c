import { KeyObject, createCipheriv, createDecipheriv } from 'node:crypto';
import { takeRandomBytes } from './random-pool';

/**
 * Compact JWE with `alg: dir` and `enc: A256GCM` only (RFC 7516 §7.1, RFC 7518 §5.3),
 * written against node:crypto directly because it is the hottest code of the service:
 * every start, verify, refresh and activity call mints or opens one or two of these.
 * jose does the same work through generic code (header parsing, algorithm tables,
 * option checks) at about three times the cost here.
 *
 * Only one shape is accepted, the one we mint: a protected header that is exactly
 * `{"alg":"dir","enc":"A256GCM","kid":…,"typ":…}` for one of our kids and the expected
 * typ, no encrypted key, a 96-bit IV, a 128-bit tag. Anything else (alg `none` or any
 * other algorithm, `zip`, `crit`, `jku`, extra members, another typ) is refused before
 * any decryption, which is the allow-list RFC 8725 §2.1 and §3.1 ask for. The header
 * is compared as the exact base64url text we would produce, so there is no JSON parsing
 * of attacker input before the tag is verified.
 */
export interface JweKeySource {
  readonly activeKid: string;
  readonly activeKey: KeyObject;
  keyFor(kid: unknown): KeyObject | undefined;
  /** Every kid that still decrypts. */
  kids(): readonly string[];
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The base64url protected header we mint for a kid and typ (member order fixed). */
export function protectedHeaderFor(kid: string, typ: string): string {
  return Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM', kid, typ })).toString('base64url');
}

export class CompactJwe {
  /** Encoded header → key, for every kid of the ring; built once. */
  private readonly keyByHeader = new Map<string, KeyObject>();
  private readonly activeHeader: string;
  private readonly activeHeaderAscii: Buffer;

  constructor(
    keys: JweKeySource,
    readonly typ: string,
  ) {
    for (const kid of keys.kids()) this.keyByHeader.set(protectedHeaderFor(kid, typ), keys.keyFor(kid) as KeyObject);
    this.activeHeader = protectedHeaderFor(keys.activeKid, typ);
    this.activeHeaderAscii = Buffer.from(this.activeHeader, 'ascii');
    this.activeKey = keys.activeKey;
  }

  private readonly activeKey: KeyObject;

  /** `header..iv.ciphertext.tag`; the AAD is the ASCII of the encoded header (RFC 7516 §5.1 step 14). */
  encrypt(plaintext: string): string {
    const iv = takeRandomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.activeKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.activeHeaderAscii);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${this.activeHeader}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
  }

  /** The plaintext, or undefined for anything we did not mint with a key we still hold. */
  decrypt(token: string): string | undefined {
    const parts = token.split('.');
    if (parts.length !== 5 || parts[1] !== '') return undefined;
    const [header, , ivText, ciphertextText, tagText] = parts;
    const key = this.keyByHeader.get(header);
    if (!key) return undefined;
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES || ciphertextText.length === 0) return undefined;
    // Buffer.from(…, 'base64url') skips characters outside the alphabet instead of
    // failing; re-encoding must give the same text, or the token was not canonical.
    if (iv.toString('base64url') !== ivText || tag.toString('base64url') !== tagText) return undefined;
    const ciphertext = Buffer.from(ciphertextText, 'base64url');
    if (ciphertext.toString('base64url') !== ciphertextText) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(header, 'ascii'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // Wrong key or tampered: GCM's tag check failed.
      return undefined;
    }
  }
}
