import { ClickHouseClient } from '@clickhouse/client';
import { EventEnvelope, SESSION_ACTIVITY_RECORDED, SESSION_STARTED, createUuidV7Generator } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { PersonalDataCodec, PrivacyKeyRing, SqliteUserKeyStore, UserKeyCipher, UserKeyStore, UserKeys, generatePrivacyKeyFile } from '@waymark/privacy';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { CompactJwe, SEALED_DATA_TYPE, TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventsProjection } from './events.projection';
import { Projector } from './projector';

const newId = createUuidV7Generator();
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const PRODUCT = 'erasure-shop';
const ERASED_USER = 'erin.erased+4411@mail.test';
const ERASED_VALUE = 'Quince-Lane-7719';
const KEPT_USER = 'kim.kept@mail.test';
const LEGACY_USER = 'lee.legacy@mail.test';

/**
 * The read side of crypto-shredding: the projector decodes what the log stores, and an
 * erased user's events (key destroyed, or a clear legacy identifier recorded as
 * erased) become neither rows nor dead letters, while everyone else's rows are exactly
 * what the handlers made. Real SQLite log and key store, real chDB.
 */
describe('projector over an encoded log with erased users (SQLite, chDB)', () => {
  jest.setTimeout(60_000);
  let dir: string;
  let db: SqliteConnection;
  let writer: GroupCommitWriter;
  let store: SqliteUserKeyStore;
  let clickhouse: ClickHouseClient;
  let clock = Date.UTC(2026, 11, 1, 9);
  const tokenKeys = TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] });
  const service = new CompactJwe(tokenKeys, SEALED_DATA_TYPE);
  const privacy = PrivacyKeyRing.fromFile(generatePrivacyKeyFile());
  const codecOver = (keyStore: UserKeyStore) => new PersonalDataCodec(new UserKeys(keyStore, new UserKeyCipher(privacy)), tokenKeys);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wm-projector-erasure-'));
    db = openEmbeddedDatabase(join(dir, 'waymark.db'));
    writer = new GroupCommitWriter(db);
    store = SqliteUserKeyStore.open(join(dir, 'keys.db'));
    clickhouse = createReadModelClient({ kind: 'chdb', path: join(dir, 'clickhouse') });
    await migrateReadModel(clickhouse);
  });

  afterAll(async () => {
    await clickhouse.close();
    await store.close();
    writer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function envelope(product: string, identifier: string, type: string, data: Record<string, unknown>): EventEnvelope {
    return {
      id: newId(),
      type,
      version: 1,
      occurredAt: new Date((clock += 1000)).toISOString(),
      product,
      env: 'prd',
      tag: 'web',
      sessionId: newId(),
      identifier,
      data,
      meta: { source: 'test' },
    };
  }
  const started = (product: string, identifier: string, secret: string) =>
    envelope(product, identifier, SESSION_STARTED, {
      expiresAt: new Date(clock + 3_600_000).toISOString(),
      refreshExpiresAt: new Date(clock + 86_400_000).toISOString(),
      sealedData: service.encrypt(JSON.stringify({ street: secret })),
    });
  const activity = (product: string, identifier: string) => envelope(product, identifier, SESSION_ACTIVITY_RECORDED, { name: 'GET /home', status: 'success' });

  async function rowsOf(product: string): Promise<Array<{ identifier: string; type: string; data: string }>> {
    const result = await clickhouse.query({
      query: 'SELECT identifier, type, data FROM events WHERE product = {product:String} ORDER BY occurred_at',
      query_params: { product },
      format: 'JSONEachRow',
    });
    return result.json();
  }
  const deadLetters = (group: string) => db.prepare('SELECT count(*) FROM dead_letters WHERE consumer = ?').pluck().get(group) as number;
  const checkpoint = (group: string) => Number(db.prepare('SELECT position FROM checkpoints WHERE consumer = ?').pluck().get(group) ?? 0);
  const head = () => Number(db.prepare('SELECT max(position) FROM events').pluck().get());

  async function runUntilCaughtUp(projector: Projector, group: string): Promise<void> {
    projector.start();
    const deadline = Date.now() + 20_000;
    while (checkpoint(group) < head()) {
      if (Date.now() > deadline) throw new Error(`projector ${group} did not catch up: ${checkpoint(group)} of ${head()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await projector.stop();
  }

  async function erase(codec: PersonalDataCodec, product: string, identifier: string): Promise<void> {
    const lookup = codec.keys.lookupOf(product, identifier);
    const destroyed = await store.destroy(lookup);
    if (destroyed) codec.keys.forget(destroyed.subject, lookup);
    await store.putErasure({ lookup, product, subject: destroyed?.subject ?? null, state: 'finished', receipt: '{}', updatedAt: clock });
  }

  it('skips erased users (counted, not dead-lettered) and projects everyone else exactly as the handlers made them', async () => {
    const writing = codecOver(store);
    const log = new SqliteEventLog(db, writer, writing);
    const legacyLog = new SqliteEventLog(db, writer);
    const kept = [started(PRODUCT, KEPT_USER, 'kept-secret'), activity(PRODUCT, KEPT_USER)];
    await log.append([started(PRODUCT, ERASED_USER, ERASED_VALUE), activity(PRODUCT, ERASED_USER), kept[0], activity(PRODUCT, ERASED_USER), kept[1]]);
    // Written before crypto-shredding: identifier in the clear, data under the token keys.
    await legacyLog.append([activity(PRODUCT, LEGACY_USER), activity(PRODUCT, LEGACY_USER)]);
    await erase(writing, PRODUCT, ERASED_USER);
    await erase(writing, PRODUCT, LEGACY_USER);

    // A fresh process: it learns of the erasures from the key store alone.
    const projector = new Projector(log.openConsumer('erasure'), new EventsProjection(clickhouse, 'events', codecOver(store)), silent, {
      group: 'erasure',
      maxBatch: 3,
      maxWaitMs: 5,
      retryBaseMs: 5,
      retryMaxMs: 20,
    });
    await runUntilCaughtUp(projector, 'erasure');

    const rows = await rowsOf(PRODUCT);
    expect(rows.map((row) => [row.identifier, row.type])).toEqual(kept.map((event) => [KEPT_USER, event.type]));
    // The kept user's data stays sealed with their own key in the read model: the token
    // keys do not open it, the user's key (what UserDataOpener uses) does.
    const sealed = (JSON.parse(rows[0].data) as { sealedData: string }).sealedData;
    expect(service.decrypt(sealed)).toBeUndefined();
    const reader = codecOver(store);
    const key = await reader.keys.find(PRODUCT, KEPT_USER);
    expect(JSON.parse(key?.data.decrypt(sealed) as string)).toEqual({ street: 'kept-secret' });
    expect(JSON.stringify(rows)).not.toContain(ERASED_USER);
    expect(JSON.stringify(rows)).not.toContain(LEGACY_USER);
    expect(deadLetters('erasure')).toBe(0);
    expect(projector.stats).toMatchObject({ projected: 2, deadLettered: 0, erased: 5 });
  });

  it('fails the batch while the key store cannot answer, and projects it whole once it can: nothing dropped, nothing dead-lettered', async () => {
    const product = 'erasure-outage';
    const log = new SqliteEventLog(db, writer, codecOver(store));
    await log.append([started(product, 'otto@mail.test', 'otto-secret'), activity(product, 'otto@mail.test'), activity(product, 'una@mail.test')]);
    let down = true;
    const flaky: UserKeyStore = Object.create(store) as UserKeyStore;
    flaky.findBySubjects = (subjects) => (down ? Promise.reject(new Error('key store unreachable')) : store.findBySubjects(subjects));
    const projector = new Projector(log.openConsumer('outage'), new EventsProjection(clickhouse, 'events', codecOver(flaky)), silent, {
      group: 'outage',
      maxBatch: 100,
      maxWaitMs: 5,
      retryBaseMs: 5,
      retryMaxMs: 20,
    });
    projector.start();
    const deadline = Date.now() + 10_000;
    while (projector.stats.failures < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(projector.stats.failures).toBeGreaterThanOrEqual(3);
    expect(projector.health.lastError).toContain('key store unreachable');
    expect(checkpoint('outage')).toBe(0);
    expect(await rowsOf(product)).toEqual([]);

    down = false;
    await runUntilCaughtUp(projector, 'outage');
    expect((await rowsOf(product)).map((row) => row.identifier)).toEqual(['otto@mail.test', 'otto@mail.test', 'una@mail.test']);
    expect(deadLetters('outage')).toBe(0);
    // The group reads the whole log: the first test's two kept and five erased events too.
    expect(projector.stats).toMatchObject({ projected: 5, deadLettered: 0, erased: 5 });
  });
});
