import { mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEnvelope, IDENTIFIER_ERASED, NO_SESSION_ID, REFRESH_TOKEN_REUSED, SESSION_STARTED, SESSION_ACTIVITY_RECORDED } from '@waymark/domain';
import { CompactJwe, SEALED_DATA_TYPE, TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import { PersonalDataCodec } from './personal-data-codec';
import { PrivacyKeyRing, generatePrivacyKeyFile } from './privacy-keys';
import { SqliteUserKeyStore } from './sqlite-user-key-store';
import { UserKeyCipher } from './user-key';
import { UserKeys } from './user-keys';

const IDENTIFIER = 'erin.example+7741@mail.test';
const SECRET_VALUE = 'Plum-Street-9931';

function event(type: string, identifier: string, data: Record<string, unknown>): EventEnvelope {
  return {
    id: '0192f0c4-5f1e-7000-8000-000000000001',
    type,
    version: 1,
    occurredAt: '2026-12-03T10:00:00.000Z',
    product: 'shop',
    env: 'prd',
    tag: 'checkout',
    sessionId: '0192f0c4-5f1e-7000-8000-0000000000aa',
    identifier,
    data,
    meta: { source: 'api' },
  };
}

describe('PersonalDataCodec (crypto-shredding)', () => {
  let dir: string;
  let store: SqliteUserKeyStore;
  let tokenKeys: TokenKeyRing;
  let codec: PersonalDataCodec;
  let service: CompactJwe;
  const privacy = PrivacyKeyRing.fromFile(generatePrivacyKeyFile());

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wm-privacy-'));
    store = SqliteUserKeyStore.open(join(dir, 'keys.db'));
    tokenKeys = TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] });
    service = new CompactJwe(tokenKeys, SEALED_DATA_TYPE);
    codec = new PersonalDataCodec(new UserKeys(store, new UserKeyCipher(privacy)), tokenKeys);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores events under a subject, with the data sealed by the user key, and decodes them back', async () => {
    const started = event(SESSION_STARTED, IDENTIFIER, {
      expiresAt: 'x',
      refreshExpiresAt: 'y',
      sealedData: service.encrypt(JSON.stringify({ street: SECRET_VALUE })),
    });
    const activity = event(SESSION_ACTIVITY_RECORDED, IDENTIFIER, { name: 'pay', status: 'ok' });
    const [storedStart, storedActivity] = await codec.encodeAll([started, activity]);

    expect(storedStart.identifier).toBe('');
    expect(storedStart.subject).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(storedActivity.subject).toBe(storedStart.subject);
    expect(JSON.stringify([storedStart, storedActivity])).not.toContain(IDENTIFIER);
    // The stored data does not open with the service's keys any more: only with the user's.
    expect(service.decrypt((storedStart.data as { sealedData: string }).sealedData)).toBeUndefined();

    // A fresh process (empty caches) decodes them through the store.
    const reader = new PersonalDataCodec(new UserKeys(store, new UserKeyCipher(privacy)), tokenKeys);
    const roundTrip = JSON.parse(JSON.stringify([storedStart, storedActivity])) as EventEnvelope[];
    await reader.prepareDecode(roundTrip);
    const [decodedStart, decodedActivity] = roundTrip.map((stored) => reader.decode(stored));
    expect(decodedActivity).toEqual(activity);
    expect(decodedStart?.identifier).toBe(IDENTIFIER);
    expect(decodedStart?.subject).toBeUndefined();
    expect(JSON.parse(service.decrypt((decodedStart?.data as { sealedData: string }).sealedData) as string)).toEqual({ street: SECRET_VALUE });
  });

  it("seals a reuse incident's request metadata (user agent, IP) with the user's key, and an erasure leaves it unreadable", async () => {
    const IP = '203.0.113.77';
    const incident = event(REFRESH_TOKEN_REUSED, IDENTIFIER, {
      replayedGeneration: 0,
      currentGeneration: 2,
      sealedRequest: service.encrypt(JSON.stringify({ userAgent: 'Probe/1.0', ip: IP })),
    });
    const bare = event(REFRESH_TOKEN_REUSED, IDENTIFIER, { replayedGeneration: 0, currentGeneration: 1 });
    const [stored, storedBare] = await codec.encodeAll([incident, bare]);
    expect(JSON.stringify(stored)).not.toContain(IP);
    expect(service.decrypt((stored.data as { sealedRequest: string }).sealedRequest)).toBeUndefined();
    expect(storedBare.data).toEqual(bare.data);

    await codec.prepareDecode([stored]);
    const decoded = codec.decode(stored);
    expect(JSON.parse(service.decrypt((decoded?.data as { sealedRequest: string }).sealedRequest) as string)).toEqual({ userAgent: 'Probe/1.0', ip: IP });
    // The read model's form keeps it under the user's key.
    expect(codec.decode(stored, { userSealedData: true })?.data).toEqual(stored.data);

    const lookup = codec.keys.lookupOf('shop', IDENTIFIER);
    await store.destroy(lookup);
    codec.keys.forget(stored.subject as string, lookup);
    await codec.prepareDecode([stored]);
    expect(codec.decode(stored)).toBeUndefined();
  });

  it('gives one subject per product and identifier, another to another identifier', async () => {
    const [a1, a2, b] = await codec.encodeAll([
      event(SESSION_ACTIVITY_RECORDED, 'user-a', { name: 'n', status: 's' }),
      event(SESSION_ACTIVITY_RECORDED, 'user-a', { name: 'n', status: 's' }),
      event(SESSION_ACTIVITY_RECORDED, 'user-b', { name: 'n', status: 's' }),
    ]);
    expect(a1.subject).toBe(a2.subject);
    expect(b.subject).not.toBe(a1.subject);
  });

  it('leaves a destroyed user undecodable, in this process and in a fresh one, and no trace in the key file', async () => {
    const [stored] = await codec.encodeAll([event(SESSION_ACTIVITY_RECORDED, IDENTIFIER, { name: 'n', status: 's' })]);
    const lookup = codec.keys.lookupOf('shop', IDENTIFIER);
    const destroyed = await store.destroy(lookup);
    expect(destroyed?.subject).toBe(stored.subject);
    codec.keys.forget(stored.subject as string, lookup);

    await codec.prepareDecode([stored]);
    expect(codec.decode(stored)).toBeUndefined();
    const fresh = new PersonalDataCodec(new UserKeys(store, new UserKeyCipher(privacy)), tokenKeys);
    await fresh.prepareDecode([stored]);
    expect(fresh.decode(stored)).toBeUndefined();
    expect(await store.destroy(lookup)).toBeUndefined();

    // Neither the subject nor the wrapped key is left in the store's files.
    for (const file of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, file));
      expect(bytes.includes(Buffer.from(stored.subject as string))).toBe(false);
      expect(bytes.includes(Buffer.from(destroyed?.sealedKey as string))).toBe(false);
    }
  });

  it('passes product-level events through, and forgets a subject when it reads its IdentifierErased', async () => {
    const [stored] = await codec.encodeAll([event(SESSION_ACTIVITY_RECORDED, IDENTIFIER, { name: 'n', status: 's' })]);
    const erased: EventEnvelope = {
      ...event(IDENTIFIER_ERASED, '', { subject: stored.subject, envs: [], tags: [], sessionsRevoked: 0, readModelRowsDeleted: 0 }),
      sessionId: NO_SESSION_ID,
    };
    expect(codec.encode(erased)).toBe(erased);
    await codec.prepareDecode([stored, erased]);
    expect(codec.decode(stored)?.identifier).toBe(IDENTIFIER);
    expect(codec.decode(erased)).toBe(erased);
    // The key is still in the store (only this process forgot it): a reload after the erasure finds it gone.
    expect(codec.keys.keyOfSubject(stored.subject as string)).toBeNull();
  });

  it('decodes events written before crypto-shredding (clear identifier) unless that identifier was erased', async () => {
    const legacy = event(SESSION_ACTIVITY_RECORDED, 'legacy-user', { name: 'n', status: 's' });
    await codec.prepareDecode([legacy]);
    expect(codec.decode(legacy)).toBe(legacy);
    const lookup = codec.keys.lookupOf('shop', 'legacy-user');
    await store.putErasure({ lookup, product: 'shop', subject: null, state: 'finished', receipt: '{}', updatedAt: 1 });
    const fresh = new PersonalDataCodec(new UserKeys(store, new UserKeyCipher(privacy)), tokenKeys);
    await fresh.prepareDecode([legacy]);
    expect(fresh.decode(legacy)).toBeUndefined();
  });
});
