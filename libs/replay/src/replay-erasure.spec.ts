import { ClickHouseClient } from '@clickhouse/client';
import { EventEnvelope, SESSION_ACTIVITY_RECORDED, SESSION_STARTED, createUuidV7Generator } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { PersonalDataCodec, PrivacyKeyRing, SqliteUserKeyStore, UserKeyCipher, UserKeys, generatePrivacyKeyFile } from '@waymark/privacy';
import { EventsProjection } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { CompactJwe, SEALED_DATA_TYPE, TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplayJournal } from './replay-journal';
import { ReplayRunner } from './replay-runner';

const newId = createUuidV7Generator();
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const ERASED_USER = 'rita.replayed+5520@mail.test';
const ERASED_VALUE = 'Medlar-Court-3318';

/**
 * A replay after an erasure rebuilds the read model from the log, which still holds the
 * erased user's events under their subject: with their key destroyed they do not
 * decode, so the replay leaves them out (counted as skipped) and the rebuilt tables
 * hold everyone else as before. Real SQLite log and key store, real chDB.
 */
describe('replay after an erasure (embedded log, chDB)', () => {
  jest.setTimeout(60_000);
  let dir: string;
  let db: SqliteConnection;
  let writer: GroupCommitWriter;
  let store: SqliteUserKeyStore;
  let clickhouse: ClickHouseClient;
  let clock = Date.UTC(2026, 11, 2, 9);
  const tokenKeys = TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] });
  const service = new CompactJwe(tokenKeys, SEALED_DATA_TYPE);
  const privacy = PrivacyKeyRing.fromFile(generatePrivacyKeyFile());
  const newCodec = () => new PersonalDataCodec(new UserKeys(store, new UserKeyCipher(privacy)), tokenKeys);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wm-replay-erasure-'));
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

  function envelope(identifier: string, type: string, data: Record<string, unknown>): EventEnvelope {
    return {
      id: newId(),
      type,
      version: 1,
      occurredAt: new Date((clock += 1000)).toISOString(),
      product: 'replay-shop',
      env: 'prd',
      tag: 'web',
      sessionId: newId(),
      identifier,
      data,
      meta: { source: 'test' },
    };
  }
  const started = (identifier: string, secret: string) =>
    envelope(identifier, SESSION_STARTED, {
      expiresAt: new Date(clock + 3_600_000).toISOString(),
      refreshExpiresAt: new Date(clock + 86_400_000).toISOString(),
      sealedData: service.encrypt(JSON.stringify({ street: secret })),
    });
  const activity = (identifier: string) => envelope(identifier, SESSION_ACTIVITY_RECORDED, { name: 'GET /cart', status: 'success' });

  async function identifiers(): Promise<string[]> {
    const result = await clickhouse.query({ query: 'SELECT identifier FROM events ORDER BY occurred_at', format: 'JSONEachRow' });
    return (await result.json<{ identifier: string }>()).map((row) => row.identifier);
  }

  it('does not bring an erased user back, and replays every other user as they were', async () => {
    const codec = newCodec();
    const log = new SqliteEventLog(db, writer, codec);
    const events = [
      started(ERASED_USER, ERASED_VALUE),
      started('kept-1', 'k1'),
      activity(ERASED_USER),
      activity('kept-2'),
      activity(ERASED_USER),
      activity('kept-1'),
    ];
    await log.append(events);
    const records = await log.openReader().read({ from: '1' }, 100);
    await new EventsProjection(clickhouse, 'events', newCodec()).project(records, 'before-erasure');
    expect(await identifiers()).toEqual(events.map((event) => event.identifier));

    // The erasure's key step: the rows are left in place, to see the replay drop them.
    const lookup = codec.keys.lookupOf('replay-shop', ERASED_USER);
    await store.destroy(lookup);

    const runner = new ReplayRunner(log, clickhouse, new ReplayJournal(db), silent, { batchSize: 2, newId, now: Date.now, codec: newCodec() });
    const { id } = await runner.start({ start: { kind: 'beginning' } });
    const run = await runner.wait(id);

    expect(run).toMatchObject({ status: 'completed', processed: 6, skipped: 3 });
    expect(await identifiers()).toEqual(['kept-1', 'kept-2', 'kept-1']);
  });
});
