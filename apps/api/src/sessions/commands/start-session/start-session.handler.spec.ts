import { DomainError, EventEnvelope, SessionCatalog, SessionRecord, SessionStarted } from '@waymark/domain';
import { SessionStore } from '@waymark/session-store';
import { DataSealer, SessionTokenService, TokenKeyRing, generateStoredKey, parseRefreshToken, refreshSecretMatches } from '@waymark/tokens';
import { StartSessionCommand } from './start-session.command';
import { StartSessionHandler } from './start-session.handler';

class RecordingStore implements SessionStore {
  readonly created: Array<{ record: SessionRecord; events: readonly EventEnvelope[] }> = [];
  failWith: Error | undefined;

  async create(record: SessionRecord, events: readonly EventEnvelope[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.created.push({ record, events });
  }

  async find(sessionId: string): Promise<SessionRecord | undefined> {
    return this.created.find((entry) => entry.record.sessionId === sessionId)?.record;
  }
}

const now = Date.UTC(2026, 10, 26, 9, 30, 0);
const catalog = new SessionCatalog([
  {
    tag: 'my-product-tag',
    name: 'My product',
    envs: ['snd'],
    sessions: [{ tag: 'session-tag', name: 'Default', selector: 'userId', expiry: { value: 1, unit: 'hours' }, refreshExpiry: { value: 30, unit: 'days' } }],
  },
]);
const seedData = { userId: '1919102009383', details: { username: 'feekayo', email: 'fikayo@ductape.app' } };

function setUp() {
  const ring = TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] });
  const store = new RecordingStore();
  let id = 0;
  const newId = () => `01900000-0000-7000-8000-${String(++id).padStart(12, '0')}`;
  const tokens = new SessionTokenService(ring);
  const sealer = new DataSealer(ring);
  const handler = new StartSessionHandler(catalog, tokens, sealer, store, () => now, newId);
  return { handler, store, tokens, sealer };
}

describe('StartSessionHandler', () => {
  it('given the seed example, when started, then it stores the session with its event and returns working tokens', async () => {
    const { handler, store, tokens, sealer } = setUp();

    const result = await handler.execute(new StartSessionCommand('my-product-tag', 'snd', 'session-tag', seedData, 'req-1'));

    expect(result).toMatchObject({
      sessionId: '01900000-0000-7000-8000-000000000001',
      expiresAt: '2026-11-26T10:30:00.000Z',
      refreshExpiresAt: '2026-12-26T09:30:00.000Z',
    });
    expect(store.created).toHaveLength(1);
    const [{ record, events }] = store.created;
    const event = events[0] as SessionStarted;
    expect(record).toMatchObject({ identifier: '1919102009383', status: 'active', generation: 0 });
    expect(event).toMatchObject({ type: 'SessionStarted', sessionId: result.sessionId, identifier: '1919102009383', meta: { requestId: 'req-1', source: 'api' } });

    const check = await tokens.check(result.token, 'my-product-tag', 'snd', now);
    expect(check).toMatchObject({ valid: true, claims: { sessionId: result.sessionId, data: seedData } });
    const refresh = parseRefreshToken(result.refreshToken);
    expect(refresh?.sessionId).toBe(result.sessionId);
    expect(refreshSecretMatches(refresh!.secret, record.refreshTokenHash)).toBe(true);

    // The user's details are in the event only as ciphertext.
    expect(JSON.stringify(event)).not.toContain('fikayo');
    expect(await sealer.open(event.data.sealedData)).toEqual(seedData);
    expect(JSON.stringify(record)).not.toContain(result.refreshToken);
  });

  it('refuses data without the identifier and stores nothing', async () => {
    const { handler, store } = setUp();
    await expect(handler.execute(new StartSessionCommand('my-product-tag', 'snd', 'session-tag', { name: 'x' }, undefined))).rejects.toMatchObject({
      code: 'IDENTIFIER_MISSING',
    });
    expect(store.created).toHaveLength(0);
  });

  it('answers CREATE_FAILED when the store cannot make the session durable', async () => {
    const { handler, store } = setUp();
    store.failWith = new Error('disk I/O error');
    const attempt = handler.execute(new StartSessionCommand('my-product-tag', 'snd', 'session-tag', seedData, undefined));
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(attempt).rejects.toMatchObject({ code: 'CREATE_FAILED' });
  });
});
