import { KeyObject, createHmac, createSecretKey } from 'node:crypto';
import { CompactJwe, JweKeySource, takeRandomBytes } from '@waymark/tokens';
import { PrivacyKeyRing } from './privacy-keys';

/**
 * One user's key record as the user-key store keeps it. Nothing in it names the user
 * without the privacy key ring: the lookup is an HMAC, the data key and the identifier
 * are sealed with the wrap keys. Destroying the record is erasure.
 */
export interface UserKeyRecord {
  /** HMAC-SHA256(lookupKey, product ␟ identifier), base64url: how an identifier finds its record. */
  lookup: string;
  /**
   * The name the log and Kafka use for the user: 48 bits of its creation time (ms) then
   * 80 random bits, base64url (22 characters). Time first so the store's index of
   * subjects grows at its end; the time says no more than the user's first event does.
   */
  subject: string;
  product: string;
  /** `[data key (256 bits, base64url), identifier]` as JSON, sealed with the privacy wrap keys (compact JWE, `kid` of the wrap key). */
  sealedKey: string;
  createdAt: number;
}

/** A record opened: what encoding and decoding an event need. */
export interface UserKey {
  subject: string;
  product: string;
  identifier: string;
  /** Seals and opens the user's session data (`typ: wm-user-data`, `kid` = subject). */
  readonly data: CompactJwe;
}

const SEALED_KEY_TYPE = 'wm-user-key';
const USER_DATA_TYPE = 'wm-user-data';

/** A key source of one key, named by the subject: a ciphertext of one user never opens with another's key. */
function singleKey(subject: string, key: KeyObject): JweKeySource {
  return { activeKid: subject, activeKey: key, keyFor: (kid) => (kid === subject ? key : undefined), kids: () => [subject] };
}

/**
 * The key of one user. Its JWE for session data is built on first use: most events
 * (activity, refresh, revoke) carry no sealed data, and a start-session of a new user
 * pays for the record, not for objects it may not need.
 */
class OpenedUserKey implements UserKey {
  private jwe: CompactJwe | undefined;

  constructor(
    readonly subject: string,
    readonly product: string,
    readonly identifier: string,
    private readonly raw: string,
  ) {}

  get data(): CompactJwe {
    return (this.jwe ??= new CompactJwe(singleKey(this.subject, createSecretKey(Buffer.from(this.raw, 'base64url'))), USER_DATA_TYPE));
  }
}

/** A new subject: the creation time, big-endian, then random bits (see UserKeyRecord.subject). */
function subjectAt(now: number): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(Math.max(0, Math.min(Math.floor(now), 2 ** 48 - 1)), 0, 6);
  takeRandomBytes(10).copy(bytes, 6);
  return bytes.toString('base64url');
}

/** Makes and opens user key records; holds no state but the privacy key ring. */
export class UserKeyCipher {
  private readonly wrap: CompactJwe;

  constructor(private readonly ring: PrivacyKeyRing) {
    this.wrap = new CompactJwe(ring.wrapRing, SEALED_KEY_TYPE);
  }

  lookupOf(product: string, identifier: string): string {
    return createHmac('sha256', this.ring.lookupKey).update(`${product}\u001f${identifier}`).digest('base64url');
  }

  /** A fresh record (new subject, new data key) and the key it opens to. */
  newRecord(product: string, identifier: string, now: number, lookup = this.lookupOf(product, identifier)): { record: UserKeyRecord; key: UserKey } {
    // From the pooled CSPRNG: a getrandom call per user was ~10 µs of a start-session.
    const subject = subjectAt(now);
    const raw = takeRandomBytes(32).toString('base64url');
    // One seal for the key and the identifier: both go with the record, and one AES-GCM
    // operation per new user is what a start-session of a new user can afford.
    const record: UserKeyRecord = { lookup, subject, product, sealedKey: this.wrap.encrypt(JSON.stringify([raw, identifier])), createdAt: now };
    return { record, key: new OpenedUserKey(subject, product, identifier, raw) };
  }

  /** The key a record opens to; undefined when it does not open (a wrap key no longer in the ring, tampering). */
  open(record: UserKeyRecord): UserKey | undefined {
    const text = this.wrap.decrypt(record.sealedKey);
    if (text === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string') return undefined;
    const [raw, identifier] = parsed as [string, string];
    if (Buffer.from(raw, 'base64url').length !== 32) return undefined;
    return new OpenedUserKey(record.subject, record.product, identifier, raw);
  }
}
