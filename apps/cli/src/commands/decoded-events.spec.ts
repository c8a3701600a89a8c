import { EventEnvelope, SESSION_ACTIVITY_RECORDED, createUuidV7Generator } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { PersonalDataCodec, PrivacyKeyRing, SqliteUserKeyStore, UserKeyCipher, UserKeys, generatePrivacyKeyFile } from '@waymark/privacy';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeForPrinting, productsOf, withSubjects } from './decoded-events';

const newId = createUuidV7Generator();

describe('event tools on an encoded log', () => {
  let dir: string;
  let db: SqliteConnection;
  let writer: GroupCommitWriter;
  let store: SqliteUserKeyStore;
  let codec: PersonalDataCodec;
  const tokenKeys = TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] });
  const privacy = PrivacyKeyRing.fromFile(generatePrivacyKeyFile());
  const freshCodec = () => new PersonalDataCodec(new UserKeys(store, new UserKeyCipher(privacy)), tokenKeys);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wm-cli-decoded-'));
    db = openEmbeddedDatabase(join(dir, 'waymark.db'));
    writer = new GroupCommitWriter(db);
    store = SqliteUserKeyStore.open(join(dir, 'keys.db'));
    codec = freshCodec();
  });

  afterEach(async () => {
    await store.close();
    writer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const activity = (product: string, identifier: string, name: string): EventEnvelope => ({
    id: newId(),
    type: SESSION_ACTIVITY_RECORDED,
    version: 1,
    occurredAt: '2026-12-03T10:00:00.000Z',
    product,
    env: 'prd',
    tag: 'web',
    sessionId: newId(),
    identifier,
    data: { name, status: 'success' },
    meta: { source: 'test' },
  });

  it("finds a user's events by identifier in every product, stored and legacy, prints them decoded, and leaves erased users out", async () => {
    const events = [activity('shop', 'ann', 'a1'), activity('blog', 'ann', 'a2'), activity('shop', 'bob', 'b1'), activity('shop', 'eve', 'e1')];
    await new SqliteEventLog(db, writer, codec).append(events);
    const legacy = activity('shop', 'ann', 'a0');
    await new SqliteEventLog(db, writer).append([legacy]);
    await store.destroy(codec.keys.lookupOf('shop', 'eve'));

    const reader = freshCodec();
    const log = new SqliteEventLog(db, writer);
    const annOnly = log.openReader(await withSubjects({ identifier: 'ann' }, reader, productsOf(db)));
    const ann = await decodeForPrinting(await annOnly.read({ from: '1' }, 100), reader);
    expect(ann.lines.map((line) => JSON.parse(line) as EventEnvelope)).toEqual([events[0], events[1], legacy]);
    // The legacy record is printed byte for byte as stored.
    expect(ann.lines[2]).toBe(JSON.stringify(legacy));

    const all = await decodeForPrinting(await log.openReader().read({ from: '1' }, 100), reader);
    expect(all.erased).toBe(1);
    expect(all.lines.join('\n')).not.toContain('"e1"');
    expect(all.lines.map((line) => (JSON.parse(line) as EventEnvelope).identifier)).toEqual(['ann', 'ann', 'bob', 'ann']);
    // The identifier matched after decoding (Kafka's way): same events.
    expect((await decodeForPrinting(await log.openReader().read({ from: '1' }, 100), reader, 'bob')).lines).toEqual([JSON.stringify(events[2])]);
  });

  it('prints records as stored without a codec', async () => {
    await new SqliteEventLog(db, writer, codec).append([activity('shop', 'ann', 'a1')]);
    const records = await new SqliteEventLog(db, writer).openReader().read({ from: '1' }, 10);
    expect((await decodeForPrinting(records, undefined)).lines).toEqual([records[0].raw]);
  });
});
