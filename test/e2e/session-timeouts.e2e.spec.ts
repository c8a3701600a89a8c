import { SessionSpec } from '@waymark/domain';
import { WaymarkClient, WaymarkError } from '@waymark/sdk';
import { AUTH, RunningApi, TEST_KEY, getJson, postJson, readJson, startApi } from '../support/api-app';
import { ManualClock } from '../support/manual-clock';

/*
 * Idle timeout, absolute lifetime and maximum age over HTTP, in both modes (BOTH_MODES),
 * with the API's clock driven by the test: minutes and hours pass without waiting.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const product = 'my-product-tag';
const env = 'snd';

/** Token 1 h, refresh 7 days, idle 30 min, absolute 12 h. */
const idleSpec: SessionSpec = {
  tag: 'idle-30m',
  name: 'Idle after 30 minutes',
  selector: 'userId',
  expiry: { value: 1, unit: 'hours' },
  refreshExpiry: { value: 7, unit: 'days' },
  idleTimeout: { value: 30, unit: 'minutes' },
  absoluteLifetime: { value: 12, unit: 'hours' },
};
/** Token 1 h, refresh 7 days, absolute 2 h, idle left to its default (the refresh lifetime). */
const shortLifeSpec: SessionSpec = {
  tag: 'life-2h',
  name: 'Two hours at most',
  selector: 'userId',
  expiry: { value: 1, unit: 'hours' },
  refreshExpiry: { value: 7, unit: 'days' },
  absoluteLifetime: { value: 2, unit: 'hours' },
};

describe('session timeouts over HTTP (controllable clock)', () => {
  const time = new ManualClock();
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi({}, { clock: time.clock });
    for (const spec of [idleSpec, shortLifeSpec]) {
      const created = await postJson(url(`/v1/products/${product}/session-specs`), spec);
      expect(created.status).toBe(201);
    }
  });

  afterAll(async () => {
    await api.close();
  });

  function url(path: string): string {
    return `${api.baseUrl}${path}`;
  }

  async function start(tag: string, userId: string) {
    const response = await postJson(url('/v1/sessions'), { product, env, tag, data: { userId } });
    expect(response.status).toBe(201);
    return readJson(response);
  }

  async function verify(tag: string, token: string, extra: Record<string, unknown> = {}) {
    const response = await postJson(url('/v1/sessions/verify'), { product, env, tag, token, ...extra });
    expect(response.status).toBe(200);
    return readJson(response);
  }

  const refresh = (tag: string, refreshToken: string) => postJson(url('/v1/sessions/refresh'), { product, env, tag, refreshToken });
  const extend = (tag: string, sessionId: string, by?: { value: number; unit: string }) =>
    postJson(url('/v1/sessions/extend'), { product, env, tag, sessionId, ...(by ? { by } : {}) });
  const activity = (tag: string, token: string) => postJson(url('/v1/sessions/activity'), { product, env, tag, token, record: { name: 'GET /orders' } });

  async function expectProblem(response: Response, status: number, code: string, field?: string): Promise<void> {
    expect(response.status).toBe(status);
    const body = await readJson(response);
    expect(body.code).toBe(code);
    if (field) expect(body.errors).toEqual([expect.objectContaining({ field })]);
  }

  describe('spec fields', () => {
    it('stores idleTimeout and absoluteLifetime and answers them', async () => {
      const response = await getJson(url(`/v1/products/${product}/session-specs/${idleSpec.tag}`), AUTH);
      expect(response.status).toBe(200);
      expect((await readJson(response)).spec).toMatchObject({ idleTimeout: idleSpec.idleTimeout, absoluteLifetime: idleSpec.absoluteLifetime });
    });

    it('refuses an idle timeout longer than the absolute lifetime, and an absolute lifetime shorter than the token lifetime (problem+json, field at fault)', async () => {
      const tooIdle = await postJson(url(`/v1/products/${product}/session-specs`), { ...idleSpec, tag: 'bad-idle', idleTimeout: { value: 13, unit: 'hours' } });
      await expectProblem(tooIdle, 400, 'INVALID_REQUEST', 'idleTimeout');
      const tooShort = await postJson(url(`/v1/products/${product}/session-specs`), {
        ...shortLifeSpec,
        tag: 'bad-life',
        absoluteLifetime: { value: 30, unit: 'minutes' },
      });
      await expectProblem(tooShort, 400, 'INVALID_REQUEST', 'absoluteLifetime');
    });
  });

  describe('idle timeout', () => {
    it('refuses verify, refresh, activity and extend once the session was unused for longer than its idle timeout', async () => {
      const session = await start(idleSpec.tag, 'idle-user');
      time.advance(20 * MINUTE);
      expect(await verify(idleSpec.tag, session.token)).toMatchObject({ valid: true });

      // 35 minutes after that verify (55 after the start): idle, though the token has 5 minutes left.
      time.advance(35 * MINUTE);
      expect(await verify(idleSpec.tag, session.token)).toEqual({ valid: false, reason: 'idle' });
      await expectProblem(await refresh(idleSpec.tag, session.refreshToken), 401, 'SESSION_IDLE_TIMEOUT', 'refreshToken');
      await expectProblem(await activity(idleSpec.tag, session.token), 401, 'SESSION_IDLE_TIMEOUT', 'token');
      await expectProblem(await extend(idleSpec.tag, session.sessionId), 401, 'SESSION_IDLE_TIMEOUT', 'sessionId');
      // A refusal is no use: still idle.
      expect(await verify(idleSpec.tag, session.token)).toEqual({ valid: false, reason: 'idle' });
    });

    it('counts a verify as use: a refresh 25 minutes after it (50 after the start) goes through', async () => {
      const session = await start(idleSpec.tag, 'verify-use-user');
      time.advance(25 * MINUTE);
      expect(await verify(idleSpec.tag, session.token)).toMatchObject({ valid: true });
      time.advance(25 * MINUTE);
      const refreshed = await refresh(idleSpec.tag, session.refreshToken);
      expect(refreshed.status).toBe(200);
    });

    it('without a use, the same refresh 50 minutes after the start is refused as idle', async () => {
      const session = await start(idleSpec.tag, 'no-use-user');
      time.advance(50 * MINUTE);
      await expectProblem(await refresh(idleSpec.tag, session.refreshToken), 401, 'SESSION_IDLE_TIMEOUT');
    });

    it('counts activity as use: a verify 25 minutes after it (50 after the start) is valid', async () => {
      const session = await start(idleSpec.tag, 'activity-use-user');
      time.advance(25 * MINUTE);
      expect((await activity(idleSpec.tag, session.token)).status).toBe(201);
      time.advance(25 * MINUTE);
      expect(await verify(idleSpec.tag, session.token)).toMatchObject({ valid: true });
    });

    it('counts a refresh and an extend as use', async () => {
      const session = await start(idleSpec.tag, 'refresh-use-user');
      time.advance(25 * MINUTE);
      const refreshed = await readJson(await refresh(idleSpec.tag, session.refreshToken));
      time.advance(25 * MINUTE);
      expect((await extend(idleSpec.tag, session.sessionId, { value: 1, unit: 'hours' })).status).toBe(200);
      time.advance(25 * MINUTE);
      expect(await verify(idleSpec.tag, refreshed.token)).toMatchObject({ valid: true });
    });
  });

  describe('absolute lifetime', () => {
    it('clamps extend to the absolute end, keeps refresh within it, and refuses everything at it', async () => {
      const session = await start(shortLifeSpec.tag, 'life-user');
      const startedAt = Date.parse((await verify(shortLifeSpec.tag, session.token)).authTime);
      const absoluteEnd = new Date(Math.floor((startedAt + 2 * HOUR) / 1000) * 1000).toISOString();
      expect(session.refreshExpiresAt).toBe(absoluteEnd);

      // Extend by a year: clamped to the absolute end, and again: nothing left to add.
      const extended = await extend(shortLifeSpec.tag, session.sessionId, { value: 365, unit: 'days' });
      expect(extended.status).toBe(200);
      expect((await readJson(extended)).refreshExpiresAt).toBe(absoluteEnd);
      expect((await readJson(await extend(shortLifeSpec.tag, session.sessionId))).refreshExpiresAt).toBe(absoluteEnd);

      // A refresh shortly before the end: a token and a session that end with it.
      time.advance(HOUR + 50 * MINUTE);
      const refreshedResponse = await refresh(shortLifeSpec.tag, session.refreshToken);
      expect(refreshedResponse.status).toBe(200);
      const refreshed = await readJson(refreshedResponse);
      expect(refreshed).toMatchObject({ expiresAt: absoluteEnd, refreshExpiresAt: absoluteEnd });

      time.advance(10 * MINUTE + 1_000);
      expect(await verify(shortLifeSpec.tag, refreshed.token)).toEqual({ valid: false, reason: 'absolute' });
      await expectProblem(await refresh(shortLifeSpec.tag, refreshed.refreshToken), 401, 'SESSION_ABSOLUTE_TIMEOUT', 'refreshToken');
      await expectProblem(await extend(shortLifeSpec.tag, session.sessionId), 401, 'SESSION_ABSOLUTE_TIMEOUT', 'sessionId');
      await expectProblem(await activity(shortLifeSpec.tag, refreshed.token), 401, 'SESSION_ABSOLUTE_TIMEOUT', 'token');
    });
  });

  describe('auth_time and maxAgeSeconds', () => {
    it('answers authTime, the start kept across refreshes, and refuses an older start than maxAgeSeconds as stale', async () => {
      const session = await start(idleSpec.tag, 'max-age-user');
      const first = await verify(idleSpec.tag, session.token, { maxAgeSeconds: 60 });
      expect(first).toMatchObject({ valid: true, authTime: expect.any(String) });
      expect(Math.abs(Date.parse(first.authTime) - time.now())).toBeLessThan(1_000);

      time.advance(2 * MINUTE);
      expect(await verify(idleSpec.tag, session.token, { maxAgeSeconds: 60 })).toEqual({ valid: false, reason: 'stale' });
      const refreshed = await readJson(await refresh(idleSpec.tag, session.refreshToken));
      // A refresh is no new start: the new token carries the same auth_time.
      expect(await verify(idleSpec.tag, refreshed.token, { maxAgeSeconds: 60 })).toEqual({ valid: false, reason: 'stale' });
      expect(await verify(idleSpec.tag, refreshed.token, { maxAgeSeconds: 180 })).toMatchObject({ valid: true, authTime: first.authTime });
    });

    it('works through the SDK: spec timeouts, maxAgeSeconds, authTime, and the timeout refusals as WaymarkError codes', async () => {
      const waymark = new WaymarkClient({ baseUrl: api.baseUrl, apiKey: TEST_KEY });
      const stored = await waymark.specs.create(product, { ...idleSpec, tag: 'sdk-idle', idleTimeout: { value: 10, unit: 'minutes' } });
      expect(stored.spec).toMatchObject({ idleTimeout: { value: 10, unit: 'minutes' }, absoluteLifetime: idleSpec.absoluteLifetime });
      const session = await waymark.sessions.start({ product, env, tag: 'sdk-idle', data: { userId: 'sdk-user' } });
      time.advance(2 * MINUTE);
      expect(await waymark.sessions.verify({ product, env, tag: 'sdk-idle', token: session.token, maxAgeSeconds: 60 })).toEqual({
        valid: false,
        reason: 'stale',
      });
      const verdict = await waymark.sessions.verify({ product, env, tag: 'sdk-idle', token: session.token, maxAgeSeconds: 600 });
      expect(verdict).toMatchObject({ valid: true, authTime: expect.any(String) });
      time.advance(11 * MINUTE);
      const refusal = await waymark.sessions.refresh({ product, env, tag: 'sdk-idle', refreshToken: session.refreshToken }).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(WaymarkError);
      expect(refusal).toMatchObject({ status: 401, code: 'SESSION_IDLE_TIMEOUT' });
    });

    it('refuses a maxAgeSeconds that is not a whole number of seconds (problem+json on the field)', async () => {
      const session = await start(idleSpec.tag, 'bad-max-age-user');
      await expectProblem(
        await postJson(url('/v1/sessions/verify'), { product, env, tag: idleSpec.tag, token: session.token, maxAgeSeconds: -1 }),
        400,
        'INVALID_REQUEST',
        'maxAgeSeconds',
      );
    });
  });
});
