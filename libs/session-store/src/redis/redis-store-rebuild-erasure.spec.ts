import { SessionRecord, SessionSpec, decideStartSession } from '@waymark/domain';
import { LoggedRecord } from '@waymark/event-log';
import { PersonalDataCodec, PrivacyKeyRing, SqliteUserKeyStore, UserKeyCipher, UserKeys, generatePrivacyKeyFile } from '@waymark/privacy';
import { CompactJwe, SEALED_DATA_TYPE, TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisTestServer, startRedisServer } from '../../../../test/support/redis-server';
import { RecordSource, rebuildRedisStores } from './redis-store-rebuild';

const spec: SessionSpec = { tag: 'web', name: 'Web', selector: 'userId', expiry: { value: 15, unit: 'minutes' }, refreshExpiry: { value: 30, unit: 'days' } };

/**
 * `waymark rebuild-redis` on an encoded log: the stored events are decoded (identifier
 * and session data as the handlers made them), and an erased user gets no session back.
 */
describe('rebuilding the Redis stores from an encoded log', () => {
  jest.setTimeout(30_000);
  let server: RedisTestServer;
  let redis: Redis;
  let dir: string;
  let store: SqliteUserKeyStore;
  const tokenKeys = TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] });
  const service = new CompactJwe(tokenKeys, SEALED_DATA_TYPE);
  const privacy = PrivacyKeyRing.fromFile(generatePrivacyKeyFile());
  const newCodec = () => new PersonalDataCodec(new UserKeys(store, new UserKeyCipher(privacy)), tokenKeys);

  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
    dir = mkdtempSync(join(tmpdir(), 'wm-rebuild-erasure-'));
    store = SqliteUserKeyStore.open(join(dir, 'keys.db'));
  });

  afterAll(async () => {
    redis.disconnect();
    await server.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rebuilds the sessions of users who were not erased, decoded, and none of the erased user', async () => {
    const now = Date.UTC(2026, 11, 3, 9);
    const start = (sessionId: string, identifier: string) =>
      decideStartSession({
        product: 'shop',
        env: 'prd',
        tag: 'web',
        identifier,
        spec,
        sessionId,
        eventId: `0192f0c4-5f1e-7000-8000-${sessionId.slice(-12)}`,
        now,
        sealedData: service.encrypt(JSON.stringify({ userId: identifier })),
        refreshTokenHash: 'h0',
        meta: { source: 'test' },
      });
    const kept = start('0192f0c4-5f1e-7000-8000-0000000000a1', 'kept@mail.test');
    const erased = start('0192f0c4-5f1e-7000-8000-0000000000a2', 'erased@mail.test');
    const codec = newCodec();
    const stored = await codec.encodeAll([kept.event, erased.event]);
    await store.destroy(codec.keys.lookupOf('shop', 'erased@mail.test'));
    const records: LoggedRecord[] = stored.map((event, index) => ({ position: String(index + 1), raw: JSON.stringify(event) }));
    const source: RecordSource = async (onRecords) => void (await onRecords(records));

    const report = await rebuildRedisStores(source, redis, 'rebuilt', { now, codec: newCodec() });

    expect(report).toEqual({ events: 2, sessions: 1, specs: 0, ignored: 0, duplicates: 0, erased: 1 });
    expect(await redis.get(`rebuilt:session:${erased.record.sessionId}`)).toBeNull();
    const rebuilt = JSON.parse((await redis.get(`rebuilt:session:${kept.record.sessionId}`)) as string) as SessionRecord;
    expect(rebuilt.identifier).toBe('kept@mail.test');
    expect(JSON.parse(service.decrypt(rebuilt.sealedData) as string)).toEqual({ userId: 'kept@mail.test' });
    expect(await redis.keys('rebuilt:*')).not.toContainEqual(expect.stringContaining('erased'));
  });
});
