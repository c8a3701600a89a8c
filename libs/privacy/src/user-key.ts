import { KeyObject, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { CompactJwe, JweKeySource } from '@waymark/tokens';
import { PrivacyKeyRing } from './privacy-keys';

/**
 * One user's key record as the user-key store keeps it. Nothing in it names the user
 * without the privacy key ring: the lookup is an HMAC, the data key is wrapped, the
 * identifier is sealed with the user's own key. Destroying the record is erasure.
 */
export interface UserKeyRecord {
  /** HMAC-SHA256(lookupKey, product ␟ identifier), base64url: how an identifier finds its record. */
  lookup: string;
  /** Random, 128 bits, base64url: the name the log, Kafka and the read model's raw rows use. */
  subject: string;
  product: string;
  /** The 256-bit data key, sealed with the privacy wrap key ring (compact JWE). */
  wrappedKey: string;
  /** The identifier, sealed with the data key itself. */
  sealedIdentifier: string;
  createdAt: number;
}

/** A record opened: what encoding and decoding an event need. */
export interface UserKey {
  subject: string;
  product: string;
  identifier: string;
  /** Seals and opens the user's session data (`typ: wm-user-data`). */
  data: CompactJwe;
}

const WRAPPED_KEY_TYPE = 'wm-user-key';
const IDENTIFIER_TYPE = 'wm-identifier';
const USER_DATA_TYPE = 'wm-user-data';

/** A key source of one key, named by the subject: a ciphertext of one user never opens with another's key. */
function singleKey(subject: string, key: KeyObject): JweKeySource {
  return { activeKid: subject, activeKey: key, keyFor: (kid) => (kid === subject ? key : undefined), kids: () => [subject] };
}

/** Makes and opens user key records; holds no state but the privacy key ring. */
export class UserKeyCipher {
  private readonly wrap: CompactJwe;

  constructor(private readonly ring: PrivacyKeyRing) {
    this.wrap = new CompactJwe(ring.wrapRing, WRAPPED_KEY_TYPE);
  }

  lookupOf(product: string, identifier: string): string {
    return createHmac('sha256', this.ring.lookupKey).update(`${product}\u001f${identifier}`).digest('base64url');
  }

  /** A fresh record (new subject, new data key) and the key it opens to. */
  newRecord(product: string, identifier: string, now: number, lookup = this.lookupOf(product, identifier)): { record: UserKeyRecord; key: UserKey } {
    const subject = randomBytes(16).toString('base64url');
    const raw = randomBytes(32);
    const dataKey = createSecretKey(raw);
    const identifierJwe = new CompactJwe(singleKey(subject, dataKey), IDENTIFIER_TYPE);
    const record: UserKeyRecord = {
      lookup,
      subject,
      product,
      wrappedKey: this.wrap.encrypt(raw.toString('base64url')),
      sealedIdentifier: identifierJwe.encrypt(identifier),
      createdAt: now,
    };
    raw.fill(0);
    return { record, key: { subject, product, identifier, data: new CompactJwe(singleKey(subject, dataKey), USER_DATA_TYPE) } };
  }

  /** The key a record opens to; undefined when it does not open (a wrap key no longer in the ring, tampering). */
  open(record: UserKeyRecord): UserKey | undefined {
    const rawText = this.wrap.decrypt(record.wrappedKey);
    if (rawText === undefined) return undefined;
    const raw = Buffer.from(rawText, 'base64url');
    if (raw.length !== 32) return undefined;
    const dataKey = createSecretKey(raw);
    raw.fill(0);
    const identifier = new CompactJwe(singleKey(record.subject, dataKey), IDENTIFIER_TYPE).decrypt(record.sealedIdentifier);
    if (identifier === undefined) return undefined;
    return { subject: record.subject, product: record.product, identifier, data: new CompactJwe(singleKey(record.subject, dataKey), USER_DATA_TYPE) };
  }
}
