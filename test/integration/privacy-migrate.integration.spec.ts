import { createClient } from '@clickhouse/client';
import { EventEnvelope, SESSION_ACTIVITY_RECORDED, SESSION_STARTED, createUuidV7Generator } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { PersonalDataCodec, PrivacyKeyRing, SqliteUserKeyStore, UserDataOpener, UserKeyCipher, UserKeys, generatePrivacyKeyFile } from '@waymark/privacy';
import { GroupCommitWriter, openEmbeddedDatabase } from '@waymark/sqlite';
import { CompactJwe, DataSealer, SEALED_DATA_TYPE, TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import Database from 'better-sqlite3';
import { createChdbConnection } from 'chdb/connection';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../apps/cli/src/cli';
import { migrateLog } from '../../apps/cli/src/commands/privacy-migrate.command';
import { openEmbeddedStores } from '../../apps/cli/src/embedded-stores';
import { makeTempDir } from '../support/temp-dir';

const newId = createUuidV7Generator();
const PRODUCT = 'migrate-shop';
// Distinctive strings: found in the raw files only if the migration missed them.
const USERS = ['mia.migrate+5521@mail.test', 'noah.legacy+8812@mail.test'];
const ERASED = 'olga.erased-before+3307@mail.test';
const ERASED_SECRET = 'Saffron-Court-3391';
// Its session data was sealed with a token key retired since: no key in the ring opens it.
const RETIRED = 'pat.retired-key+6604@mail.test';

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t), progress: (t) => progress.push(t), isTty: false, env });
  return { code, out: out.join('\n'), err: err.join('\n'), progress: progress.join('') };
}

/**
 * `waymark privacy migrate` on a data directory written before crypto-shredding: the log's
 * legacy rows (identifier in the clear) become the stored form in place, resumably, and
 * nothing of the clear identifiers is left in the database's files.
 */
describe('waymark privacy migrate (embedded log written before crypto-shredding)', () => {
  jest.setTimeout(120_000);
  const data = makeTempDir('privacy-migrate');
  const tokenFile = { keys: [generateStoredKey()] };
  const tokenKeys = TokenKeyRing.fromKeyFile(tokenFile);
  const service = new CompactJwe(tokenKeys, SEALED_DATA_TYPE);
  const privacyFile = generatePrivacyKeyFile();
  const privacy = PrivacyKeyRing.fromFile(privacyFile);
  let clock = Date.UTC(2026, 10, 2, 9);
  const written: EventEnvelope[] = [];

  function envelope(identifier: string, type: string, payload: Record<string, unknown>): EventEnvelope {
    return {
      id: newId(),
      type,
      version: 1,
      occurredAt: new Date((clock += 1000)).toISOString(),
      product: PRODUCT,
      env: 'prd',
      tag: 'web',
      sessionId: newId(),
      identifier,
      data: payload,
      meta: { source: 'test' },
    };
  }
  const started = (identifier: string, secret: string) =>
    envelope(identifier, SESSION_STARTED, {
      expiresAt: new Date(clock + 3_600_000).toISOString(),
      refreshExpiresAt: new Date(clock + 86_400_000).toISOString(),
      sealedData: service.encrypt(JSON.stringify({ street: secret })),
    });
  const activity = (identifier: string, name: string) => envelope(identifier, SESSION_ACTIVITY_RECORDED, { name, status: 'success' });

  /** What a reader sees: decoded envelopes, a SessionStarted's data opened (its sealing is fresh on each decode). */
  function comparable(event: EventEnvelope): unknown {
    if (event.type !== SESSION_STARTED) return event;
    const payload = event.data as { sealedData: string };
    return { ...event, data: { ...payload, sealedData: service.decrypt(payload.sealedData) } };
  }

  async function decodedLog(): Promise<Array<EventEnvelope | undefined>> {
    const store = SqliteUserKeyStore.open(join(data.path, 'keys.db'));
    try {
      const codec = new PersonalDataCodec(new UserKeys(store, new UserKeyCipher(privacy)), tokenKeys);
      const db = new Database(join(data.path, 'waymark.db'), { readonly: true });
      const bodies = (db.prepare('SELECT body FROM events ORDER BY position').pluck().all() as string[]).flatMap((body) => {
        try {
          return [JSON.parse(body) as EventEnvelope];
        } catch {
          return []; // the row that is not an event
        }
      });
      db.close();
      await codec.prepareDecode(bodies);
      return bodies.map((body) => codec.decode(body));
    } finally {
      await store.close();
    }
  }

  function rawFiles(): Buffer {
    const path = join(data.path, 'waymark.db');
    return Buffer.concat([readFileSync(path), existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0)]);
  }

  function rows(): Array<{ position: number; identifier: string; body: string }> {
    const db = new Database(join(data.path, 'waymark.db'), { readonly: true });
    try {
      return db.prepare('SELECT position, identifier, body FROM events ORDER BY position').all() as Array<{
        position: number;
        identifier: string;
        body: string;
      }>;
    } finally {
      db.close();
    }
  }

  async function replayedRows(): Promise<string[]> {
    const replay = await cli(['replay', '--data-dir', data.path]);
    expect(replay).toMatchObject({ code: 0 });
    const clickhouse = createClient({ connection: createChdbConnection({ path: join(data.path, 'clickhouse') }) as never });
    try {
      const result = await clickhouse.query({
        query: 'SELECT event_id, identifier, type, data, product FROM events ORDER BY occurred_at, event_id',
        format: 'JSONEachRow',
      });
      const found = await result.json<{ event_id: string; identifier: string; type: string; data: string; product: string }>();
      // A SessionStarted's data is sealed with the token keys (projected from a legacy event)
      // or with the user's key (from a migrated one): compare what it opens to, as the
      // profile endpoint opens it (UserDataOpener).
      const keys = SqliteUserKeyStore.open(join(data.path, 'keys.db'));
      try {
        const opener = new UserDataOpener(new UserKeys(keys, new UserKeyCipher(privacy)), new DataSealer(tokenKeys));
        const opened: string[] = [];
        for (const { product, ...row } of found) {
          const payload = JSON.parse(row.data) as { sealedData?: string };
          const sealed = typeof payload.sealedData === 'string' ? await opener.open(product, row.identifier, payload.sealedData) : undefined;
          opened.push(
            JSON.stringify({ ...row, data: typeof payload.sealedData === 'string' ? { ...payload, sealedData: sealed && JSON.stringify(sealed) } : payload }),
          );
        }
        return opened;
      } finally {
        await keys.close();
      }
    } finally {
      await clickhouse.close();
    }
  }

  beforeAll(async () => {
    writeFileSync(join(data.path, 'token-keys.json'), JSON.stringify(tokenFile), { mode: 0o600 });
    writeFileSync(join(data.path, 'privacy-keys.json'), JSON.stringify(privacyFile), { mode: 0o600 });
    const db = openEmbeddedDatabase(join(data.path, 'waymark.db'));
    const writer = new GroupCommitWriter(db);
    // As versions before crypto-shredding wrote it: no codec.
    const log = new SqliteEventLog(db, writer);
    for (let round = 0; round < 3; round += 1) {
      for (const user of USERS) written.push(started(user, `secret-${user}-${round}`), activity(user, `GET /cart/${round}`));
    }
    written.push(started(ERASED, ERASED_SECRET), activity(ERASED, 'GET /home'));
    const retired = new CompactJwe(TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] }), SEALED_DATA_TYPE);
    const retiredStart = started(RETIRED, 'gone');
    retiredStart.data = { ...(retiredStart.data as Record<string, unknown>), sealedData: retired.encrypt('{"street":"gone"}') };
    written.push(retiredStart);
    written.push(envelope('', 'SessionSpecCreated', { spec: { tag: 'web' } }));
    await log.append(written);
    // A row that is not an event (left as it is, counted).
    db.prepare(
      `INSERT INTO events (event_id, type, occurred_at, product, env, tag, identifier, body) VALUES ('x', '?', 0, 'p', 'e', 't', 'row-not-an-event', '{broken')`,
    ).run();
    // A dead letter of a legacy event, as a projector of those versions recorded it.
    db.prepare('INSERT INTO dead_letters (consumer, position, reason, body, recorded_at) VALUES (?, ?, ?, ?, ?)').run(
      'read-model',
      2,
      'unknown version 2 of SessionStarted',
      JSON.stringify(written[1]),
      Date.now(),
    );
    writer.close();
    db.close();
    // ERASED was erased by a build that recorded the erasure of its clear identifier (no key ever).
    const store = SqliteUserKeyStore.open(join(data.path, 'keys.db'));
    const lookup = new UserKeyCipher(privacy).lookupOf(PRODUCT, ERASED);
    await store.putErasure({ lookup, product: PRODUCT, subject: null, state: 'finished', receipt: '{}', updatedAt: clock });
    await store.close();
  });

  afterAll(() => data.remove());

  it('rewrites every legacy row in place, leaves no clear identifier in the files, decodes and replays the same', async () => {
    const before = rows();
    const raw = rawFiles();
    for (const user of [...USERS, ERASED, RETIRED]) expect(raw.includes(user)).toBe(true);
    const decodedBefore = await decodedLog();
    const replayedBefore = await replayedRows();
    expect(replayedBefore.join('\n')).not.toContain(ERASED);
    expect(replayedBefore).toHaveLength(written.length - 2);

    const run = await cli(['privacy', 'migrate', '--data-dir', data.path, '--yes']);
    expect(run.err).toContain('vacuuming waymark.db (rebuilds the file without the old rows)…');
    expect(run.code).toBe(0);
    expect(run.out).toContain(`events rewritten: ${written.length - 1} of ${written.length - 1} found in the clear (2 of users erased before`);
    expect(run.out).toContain('dead letters rewritten: 1');
    expect(run.out).toContain('users given keys: 3');
    expect(run.out).toContain('session starts whose data no token key opens any more (left sealed, identifier removed): 1');
    expect(run.out).toContain('rows left as they are, not readable as events: 1');
    expect(run.out).toContain('waymark.db vacuumed; WAL emptied');
    expect(run.progress).toMatch(/\[#{24}\] 100% {2}15\/15 events .*\(events rewritten\)/);

    // Same positions (consumer checkpoints stay valid); the identifier column names a subject.
    const after = rows();
    expect(after.map((row) => row.position)).toEqual(before.map((row) => row.position));
    expect(after.filter((row) => row.identifier !== '' && row.identifier !== 'row-not-an-event').every((row) => /^[\w-]{22}$/.test(row.identifier))).toBe(true);
    const bytes = rawFiles();
    for (const user of [...USERS, ERASED, RETIRED]) expect(bytes.includes(user)).toBe(false);
    expect(existsSync(join(data.path, 'waymark.db-wal')) ? readFileSync(join(data.path, 'waymark.db-wal')).length : 0).toBe(0);
    // keys.db holds the identifiers sealed only.
    for (const user of USERS) expect(readFileSync(join(data.path, 'keys.db')).includes(user)).toBe(false);

    // The same envelopes decode back; the user erased before stays erased (no key was made for them).
    const decodedAfter = await decodedLog();
    expect(decodedAfter.map((event) => event && comparable(event))).toEqual(decodedBefore.map((event) => event && comparable(event)));
    expect(decodedAfter.filter((event) => event === undefined)).toHaveLength(2);
    expect(decodedAfter.filter((event): event is EventEnvelope => event !== undefined).map(comparable)).toEqual(
      written.filter((event) => event.identifier !== ERASED).map(comparable),
    );
    const deadLetter = JSON.parse(
      new Database(join(data.path, 'waymark.db'), { readonly: true }).prepare('SELECT body FROM dead_letters').pluck().get() as string,
    );
    expect(deadLetter).toMatchObject({ identifier: '', subject: expect.stringMatching(/^[\w-]{22}$/), id: written[1].id });

    // A replay of the migrated log builds the same read model.
    expect(await replayedRows()).toEqual(replayedBefore);

    // Run again: nothing left to rewrite, nothing changes.
    const again = await cli(['privacy', 'migrate', '--data-dir', data.path, '--yes']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('events rewritten: 0 of 0 found in the clear');
    expect(again.out).toContain('users given keys: 0');
    expect(rows()).toEqual(after);
  });

  it('continues an interrupted run where it stopped', async () => {
    const resumable = makeTempDir('privacy-migrate-resume');
    try {
      writeFileSync(join(resumable.path, 'token-keys.json'), JSON.stringify(tokenFile), { mode: 0o600 });
      writeFileSync(join(resumable.path, 'privacy-keys.json'), JSON.stringify(privacyFile), { mode: 0o600 });
      const db = openEmbeddedDatabase(join(resumable.path, 'waymark.db'));
      const writer = new GroupCommitWriter(db);
      const events = Array.from({ length: 10 }, (_, i) => activity(`resume-user-${i % 3}`, `GET /${i}`));
      await new SqliteEventLog(db, writer).append(events);
      writer.close();
      db.close();

      // Stopped after two batches of 3 (Ctrl-C between batches): 6 rows in the stored form, 4 still in the clear.
      const stores = await openEmbeddedStores(resumable.path, { whenBusy: 'test' });
      let batches = 0;
      const io = { out: () => undefined, err: () => undefined, env: {} };
      const first = await migrateLog(stores.db, stores.codec(), io, () => batches++ >= 2, 3);
      await stores.close();
      expect(first).toMatchObject({ interrupted: true, vacuumed: false, events: { legacy: 10, rewritten: 6 } });
      const stored = new Database(join(resumable.path, 'waymark.db'), { readonly: true });
      const subjects = stored.prepare(`SELECT count(*) FROM events WHERE json_extract(body, '$.subject') IS NOT NULL`).pluck().get();
      stored.close();
      expect(subjects).toBe(6);

      const rest = await cli(['privacy', 'migrate', '--data-dir', resumable.path, '--yes']);
      expect(rest.code).toBe(0);
      expect(rest.out).toContain('events rewritten: 4 of 4 found in the clear');
      expect(rest.out).toContain('users given keys: 0');
      expect(readFileSync(join(resumable.path, 'waymark.db')).includes('resume-user-')).toBe(false);
    } finally {
      resumable.remove();
    }
  });

  it('refuses without --yes, and says what happens to a Kafka topic in distributed mode', async () => {
    const refused = await cli(['privacy', 'migrate', '--data-dir', data.path]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--yes is required');
    const distributed = await cli(['privacy', 'migrate'], { KAFKA_BROKERS: 'localhost:9092' });
    expect(distributed.code).toBe(0);
    expect(distributed.out).toContain('A Kafka topic cannot be');
    expect(distributed.out).toContain('docs/privacy.md');
  });
});
