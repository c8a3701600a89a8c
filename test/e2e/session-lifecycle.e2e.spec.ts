import { CompactEncrypt, UnsecuredJWT } from 'jose';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunningApi, SEED_BODY, getJson, postJson, readJson, startApi } from '../support/api-app';
import { waitFor } from '../support/wait-for';

const scope = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };

describe('session lifecycle over HTTP (embedded)', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi({ REFRESH_GRACE_MS: '1500' });
  });

  afterAll(async () => {
    await api.close();
  });

  const url = (path: string) => `${api.baseUrl}${path}`;

  async function start(userId: string, extra: Record<string, unknown> = {}) {
    const response = await postJson(url('/v1/sessions'), { ...SEED_BODY, data: { userId, ...extra } });
    expect(response.status).toBe(201);
    return readJson(response);
  }

  async function verify(token: string, overrides: Record<string, unknown> = {}) {
    const response = await postJson(url('/v1/sessions/verify'), { ...scope, token, ...overrides });
    expect(response.status).toBe(200);
    return readJson(response);
  }

  function eventTypes(sessionId: string): string[] {
    const db = new Database(join(api.dataDir, 'waymark.db'), { readonly: true });
    try {
      const bodies = db.prepare('SELECT body FROM events ORDER BY position').pluck().all() as string[];
      return bodies
        .map((body) => JSON.parse(body))
        .filter((event) => event.sessionId === sessionId)
        .map((event) => event.type);
    } finally {
      db.close();
    }
  }

  describe('verify', () => {
    it('returns the session and the original data, decrypted', async () => {
      const session = await start('verify-user', { details: { plan: 'pro' } });
      expect(await verify(session.token)).toEqual({
        valid: true,
        sessionId: session.sessionId,
        identifier: 'verify-user',
        data: { userId: 'verify-user', details: { plan: 'pro' } },
        expiresAt: session.expiresAt,
        // The session's start (the token's auth_time), whole seconds.
        authTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      });
    });

    it('refuses a token of another tag, env or product', async () => {
      const session = await start('scoped-user');
      expect(await verify(session.token, { tag: 'other-tag' })).toEqual({ valid: false, reason: 'invalid' });
      expect(await verify(session.token, { env: 'prd' })).toEqual({ valid: false, reason: 'invalid' });
    });

    it('refuses tampered, wrong-key, alg:none and garbage tokens', async () => {
      const session = await start('tamper-user');
      const parts = session.token.split('.');
      const cipher = Buffer.from(parts[3], 'base64url');
      cipher[cipher.length - 1] ^= 1;
      const tampered = [...parts.slice(0, 3), cipher.toString('base64url'), parts[4]].join('.');

      const wrongKey = await new CompactEncrypt(
        new TextEncoder().encode(
          JSON.stringify({ sid: session.sessionId, sub: 'x', tag: scope.tag, iss: 'waymark', aud: 'my-product-tag:snd', iat: 1, exp: 4102444800 }),
        ),
      )
        .setProtectedHeader({
          alg: 'dir',
          enc: 'A256GCM',
          typ: 'wm-session+jwt',
          kid: JSON.parse(readFileSync(join(api.dataDir, 'token-keys.json'), 'utf8')).keys[0].kid,
        })
        .encrypt(new Uint8Array(32).fill(7));
      const none = new UnsecuredJWT({ sid: session.sessionId, tag: scope.tag })
        .setIssuer('waymark')
        .setAudience('my-product-tag:snd')
        .setExpirationTime('1h')
        .encode();

      for (const token of [tampered, wrongKey, none, 'not-a-token']) {
        expect(await verify(token)).toEqual({ valid: false, reason: 'invalid' });
      }
    });
  });

  describe('refresh', () => {
    it('rotates: the new pair works, the old refresh token is spent, the journey shows it', async () => {
      const session = await start('refresh-user');
      const response = await postJson(url('/v1/sessions/refresh'), { ...scope, refreshToken: session.refreshToken });
      expect(response.status).toBe(200);
      const refreshed = await readJson(response);
      expect(refreshed.sessionId).toBe(session.sessionId);
      expect(refreshed.refreshToken).not.toBe(session.refreshToken);
      expect(await verify(refreshed.token)).toMatchObject({ valid: true, data: { userId: 'refresh-user' } });

      const again = await postJson(url('/v1/sessions/refresh'), { ...scope, refreshToken: refreshed.refreshToken });
      expect(again.status).toBe(200);
      expect(eventTypes(session.sessionId)).toEqual(['SessionStarted', 'SessionRefreshed', 'SessionRefreshed']);

      const journey = await waitFor(
        async () => readJson(await getJson(url(`/v1/journeys?${new URLSearchParams({ ...scope, identifier: 'refresh-user' })}`))),
        (j) => j.events.length === 3,
      );
      expect(journey.events.map((event: { type: string }) => event.type)).toEqual(['SessionStarted', 'SessionRefreshed', 'SessionRefreshed']);
    });

    it('answers a retry within the grace window with the same tokens', async () => {
      const session = await start('grace-user');
      const first = await readJson(await postJson(url('/v1/sessions/refresh'), { ...scope, refreshToken: session.refreshToken }));
      const retry = await postJson(url('/v1/sessions/refresh'), { ...scope, refreshToken: session.refreshToken });
      expect(retry.status).toBe(200);
      expect(await readJson(retry)).toEqual(first);
      expect(eventTypes(session.sessionId)).toEqual(['SessionStarted', 'SessionRefreshed']);
    });

    it('two refreshes racing with one token: exactly one rotation, both get its tokens', async () => {
      const session = await start('race-user');
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => postJson(url('/v1/sessions/refresh'), { ...scope, refreshToken: session.refreshToken })),
      );
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      const bodies = await Promise.all(answers.map(readJson));
      expect(new Set(bodies.map((body) => body.refreshToken)).size).toBe(1);
      expect(eventTypes(session.sessionId).filter((type) => type === 'SessionRefreshed')).toHaveLength(1);
    });

    it('reuse after the grace window revokes the whole session, and records why', async () => {
      const session = await start('reuse-user');
      const rotated = await readJson(await postJson(url('/v1/sessions/refresh'), { ...scope, refreshToken: session.refreshToken }));
      await new Promise((resolve) => setTimeout(resolve, 1700));

      const reuse = await postJson(url('/v1/sessions/refresh'), { ...scope, refreshToken: session.refreshToken });
      expect(reuse.status).toBe(401);
      expect(await readJson(reuse)).toMatchObject({ code: 'REFRESH_TOKEN_REUSED', errors: [{ field: 'refreshToken' }] });

      // The legitimate holder's newer tokens die with it.
      expect(await verify(rotated.token)).toEqual({ valid: false, reason: 'revoked' });
      const holder = await postJson(url('/v1/sessions/refresh'), { ...scope, refreshToken: rotated.refreshToken });
      expect((await readJson(holder)).code).toBe('SESSION_REVOKED');
      // The incident first, then the revocation it causes, appended together (docs/token-lineage.md).
      expect(eventTypes(session.sessionId)).toEqual(['SessionStarted', 'SessionRefreshed', 'RefreshTokenReused', 'SessionRevoked']);
      const db = new Database(join(api.dataDir, 'waymark.db'), { readonly: true });
      const revoked = db.prepare('SELECT body FROM events WHERE type = ? ORDER BY position DESC LIMIT 1').pluck().get('SessionRevoked') as string;
      db.close();
      expect(JSON.parse(revoked).data).toEqual({ reason: 'refresh-token-reuse' });
    });

    it('refuses a forged refresh token without revoking the session', async () => {
      const session = await start('forged-user');
      const forged = `wmr1.${session.sessionId}.${'A'.repeat(43)}`;
      const response = await postJson(url('/v1/sessions/refresh'), { ...scope, refreshToken: forged });
      expect(response.status).toBe(401);
      expect((await readJson(response)).code).toBe('REFRESH_FAILED');
      expect((await verify(session.token)).valid).toBe(true);
    });
  });

  describe('revoke, list, extend', () => {
    it('revokes by session id: verify refuses it at once and the list drops it', async () => {
      const keep = await start('revoke-user');
      const drop = await start('revoke-user');
      const response = await postJson(url('/v1/sessions/revoke'), { ...scope, sessionId: drop.sessionId });
      expect(await readJson(response)).toEqual({ revoked: [drop.sessionId] });
      expect(await verify(drop.token)).toEqual({ valid: false, reason: 'revoked' });
      expect((await verify(keep.token)).valid).toBe(true);

      const list = await readJson(await getJson(url(`/v1/sessions/active?${new URLSearchParams({ ...scope, identifier: 'revoke-user' })}`)));
      expect(list).toMatchObject({ total: 1, page: 1, sessions: [{ sessionId: keep.sessionId, active: true }] });

      const again = await readJson(await postJson(url('/v1/sessions/revoke'), { ...scope, sessionId: drop.sessionId }));
      expect(again).toEqual({ revoked: [] });
    });

    it('revokes all of a user’s sessions except one', async () => {
      const sessions = [await start('all-user'), await start('all-user'), await start('all-user')];
      const response = await postJson(url('/v1/sessions/revoke'), { ...scope, identifier: 'all-user', exceptSessionId: sessions[0].sessionId });
      expect((await readJson(response)).revoked.sort()).toEqual([sessions[1].sessionId, sessions[2].sessionId].sort());
      expect((await verify(sessions[0].token)).valid).toBe(true);
      expect(await verify(sessions[2].token)).toEqual({ valid: false, reason: 'revoked' });
    });

    it('pages the active list newest first', async () => {
      const ids = [];
      for (let i = 0; i < 5; i += 1) ids.push((await start('paged-user')).sessionId);
      const page2 = await readJson(
        await getJson(url(`/v1/sessions/active?${new URLSearchParams({ ...scope, identifier: 'paged-user', page: '2', pageSize: '2' })}`)),
      );
      expect(page2.total).toBe(5);
      expect(page2.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual([ids[2], ids[1]]);
    });

    it('extends a session’s end and refuses to extend a revoked one', async () => {
      const session = await start('extend-user');
      const response = await postJson(url('/v1/sessions/extend'), { ...scope, sessionId: session.sessionId, by: { value: 2, unit: 'days' } });
      expect(response.status).toBe(200);
      const body = await readJson(response);
      expect(Date.parse(body.refreshExpiresAt) - Date.parse(session.refreshExpiresAt)).toBe(2 * 86_400_000);
      expect(eventTypes(session.sessionId)).toEqual(['SessionStarted', 'SessionExtended']);

      await postJson(url('/v1/sessions/revoke'), { ...scope, sessionId: session.sessionId });
      const refused = await postJson(url('/v1/sessions/extend'), { ...scope, sessionId: session.sessionId });
      expect(refused.status).toBe(401);
      expect((await readJson(refused)).code).toBe('SESSION_REVOKED');
    });
  });

  describe('activity', () => {
    it('records one record or a batch against the token’s session, in order, into the journey', async () => {
      const session = await start('activity-user');
      const single = await postJson(url('/v1/sessions/activity'), {
        ...scope,
        token: session.token,
        record: { name: 'GET /cart', status: 'success', latencyMs: 12 },
      });
      expect(single.status).toBe(201);
      const batch = Array.from({ length: 500 }, (_, i) => ({
        name: `step-${i}`,
        parent: 'checkout',
        status: i % 10 === 0 ? 'error' : 'success',
        latencyMs: i,
        processId: 'p-1',
        occurredAt: new Date(Date.now() - 1000 + i).toISOString(),
      }));
      const many = await postJson(url('/v1/sessions/activity'), { ...scope, token: session.token, records: batch });
      expect(many.status).toBe(201);
      expect(await readJson(many)).toEqual({ recorded: 500, sessionId: session.sessionId });

      const journey = await waitFor(
        async () => readJson(await getJson(url(`/v1/journeys?${new URLSearchParams({ ...scope, identifier: 'activity-user' })}`))),
        (j) => j.events.length === 502,
      );
      const activity = journey.events.filter((event: { type: string }) => event.type === 'SessionActivityRecorded');
      expect(activity[0].data).toMatchObject({ name: 'step-0', parent: 'checkout', status: 'error', latencyMs: 0, processId: 'p-1' });
      expect(activity.every((event: { sessionId: string }) => event.sessionId === session.sessionId)).toBe(true);
    });

    it('refuses 501 records, and expired, revoked or invalid tokens with 401', async () => {
      const session = await start('activity-refused');
      const tooMany = await postJson(url('/v1/sessions/activity'), {
        ...scope,
        token: session.token,
        records: Array.from({ length: 501 }, () => ({ name: 'x' })),
      });
      expect(tooMany.status).toBe(400);
      expect((await readJson(tooMany)).errors[0].field).toBe('records');

      const invalid = await postJson(url('/v1/sessions/activity'), { ...scope, token: 'garbage', record: { name: 'x' } });
      expect(invalid.status).toBe(401);
      expect(await readJson(invalid)).toMatchObject({ code: 'TOKEN_INVALID', errors: [{ field: 'token' }] });

      await postJson(url('/v1/sessions/revoke'), { ...scope, sessionId: session.sessionId });
      const revoked = await postJson(url('/v1/sessions/activity'), { ...scope, token: session.token, record: { name: 'x' } });
      expect(revoked.status).toBe(401);
      expect((await readJson(revoked)).code).toBe('SESSION_REVOKED');
      expect(eventTypes(session.sessionId)).toEqual(['SessionStarted', 'SessionRevoked']);
    });
  });
});
