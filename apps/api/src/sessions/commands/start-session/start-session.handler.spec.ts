import { DomainError, SessionCatalog, SessionStarted } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { SqliteSessionStore } from '@waymark/session-store';
import { GroupCommitWriter, openEmbeddedDatabase } from '@waymark/sqlite';
import { DataSealer, SessionTokenService, TokenKeyRing, generateStoredKey, parseRefreshToken, refreshSecretMatches } from '@waymark/tokens';
import { SessionCommands } from '../../session-commands';
import { SessionUseTracker } from '../../session-use-tracker';
import { StartSessionCommand } from './start-session.command';
import { StartSessionHandler } from './start-session.handler';

const now = Date.UTC(2026, 10, 26, 9, 30, 0);
const seedData = { userId: '1919102009383', details: { username: 'feekayo', email: 'fikayo@ductape.app' } };

function setUp() {
  const catalog = new SessionCatalog([{ tag: 'my-product-tag', name: 'My product', envs: ['snd'] }]);
  catalog.put('my-product-tag', {
    tag: 'session-tag',
    name: 'Default',
    selector: 'userId',
    expiry: { value: 1, unit: 'hours' },
    refreshExpiry: { value: 30, unit: 'days' },
    schema: { 'details.email': { type: 'string', required: true } },
  });
  const db = openEmbeddedDatabase(':memory:');
  const writer = new GroupCommitWriter(db);
  const log = new SqliteEventLog(db, writer);
  const store = new SqliteSessionStore(db, writer, log);
  const ring = TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] });
  let id = 0;
  const newId = () => `01900000-0000-7000-8000-${String(++id).padStart(12, '0')}`;
  const tokens = new SessionTokenService(ring);
  const sealer = new DataSealer(ring);
  const handler = new StartSessionHandler(catalog, tokens, sealer, new SessionCommands(store, () => now, newId, new SessionUseTracker(store, () => now)));
  const loggedEvents = () => (db.prepare('SELECT body FROM events ORDER BY position').pluck().all() as string[]).map((body) => JSON.parse(body));
  return { handler, store, tokens, sealer, loggedEvents };
}

describe('StartSessionHandler', () => {
  it('given the seed example, when started, then it stores the session with its event and returns working tokens', async () => {
    const { handler, store, tokens, sealer, loggedEvents } = setUp();

    const result = await handler.execute(new StartSessionCommand('my-product-tag', 'snd', 'session-tag', seedData, 'req-1'));

    expect(result).toMatchObject({
      sessionId: '01900000-0000-7000-8000-000000000001',
      expiresAt: '2026-11-26T10:30:00.000Z',
      refreshExpiresAt: '2026-12-26T09:30:00.000Z',
    });
    const record = await store.find(result.sessionId);
    const [event] = loggedEvents() as SessionStarted[];
    expect(record).toMatchObject({ identifier: '1919102009383', status: 'active', generation: 0, version: 0, tokenTtlMs: 3_600_000 });
    expect(event).toMatchObject({
      type: 'SessionStarted',
      sessionId: result.sessionId,
      identifier: '1919102009383',
      meta: { requestId: 'req-1', source: 'api' },
    });

    const check = await tokens.check(result.token, 'my-product-tag', 'snd', now);
    expect(check).toMatchObject({ valid: true, claims: { sessionId: result.sessionId, data: seedData } });
    const refresh = parseRefreshToken(result.refreshToken);
    expect(refresh?.sessionId).toBe(result.sessionId);
    expect(refreshSecretMatches(refresh!.secret, record!.refreshTokenHash)).toBe(true);

    // The user's details are stored only as ciphertext, the refresh token not at all.
    expect(JSON.stringify(event)).not.toContain('fikayo');
    expect(JSON.stringify(record)).not.toContain('fikayo');
    expect(JSON.stringify(record)).not.toContain(refresh!.secret);
    expect(await sealer.open(event.data.sealedData)).toEqual(seedData);
  });

  it('refuses data without the identifier or against the spec schema, and stores nothing', async () => {
    const { handler, loggedEvents } = setUp();
    await expect(
      handler.execute(new StartSessionCommand('my-product-tag', 'snd', 'session-tag', { details: { email: 'a@b' } }, undefined)),
    ).rejects.toMatchObject({
      code: 'IDENTIFIER_MISSING',
    });
    await expect(
      handler.execute(new StartSessionCommand('my-product-tag', 'snd', 'session-tag', { userId: 'u', details: { email: 7 } }, undefined)),
    ).rejects.toMatchObject({
      code: 'INVALID_SESSION_DATA',
      fieldErrors: [{ field: 'data.details.email', message: 'data.details.email must be of type string' }],
    });
    expect(loggedEvents()).toHaveLength(0);
  });

  it('answers CREATE_FAILED when the store cannot make the session durable', async () => {
    const { handler, store } = setUp();
    store.create = async () => {
      throw new Error('disk I/O error');
    };
    const attempt = handler.execute(new StartSessionCommand('my-product-tag', 'snd', 'session-tag', { ...seedData }, undefined));
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(attempt).rejects.toMatchObject({ code: 'CREATE_FAILED' });
  });
});
