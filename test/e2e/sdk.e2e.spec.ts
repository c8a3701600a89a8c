import { WaymarkClient, WaymarkError } from '@waymark/sdk';
import { RunningApi, TEST_KEY, startApi } from '../support/api-app';
import { waitFor } from '../support/wait-for';

const scope = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };
const data = { userId: '1919102009383', details: { username: 'feekayo', email: 'fikayo@ductape.app' } };

/** The SDK against the real app: the seed's calls, each method, and typed errors. */
describe('@waymark/sdk against the running app', () => {
  let api: RunningApi;
  let waymark: WaymarkClient;

  beforeAll(async () => {
    api = await startApi();
    waymark = new WaymarkClient({ baseUrl: api.baseUrl, apiKey: TEST_KEY });
  });

  afterAll(async () => {
    await api.close();
  });

  it('runs a session through start, verify, track, refresh, list, extend and revoke', async () => {
    const started = await waymark.sessions.start({ ...scope, data });
    expect(started.token).toBeTruthy();

    expect(await waymark.sessions.verify({ ...scope, token: started.token })).toMatchObject({ valid: true, data });
    expect(await waymark.sessions.track({ ...scope, token: started.token, records: { name: 'GET /profile', latencyMs: 5 } })).toEqual({
      recorded: 1,
      sessionId: started.sessionId,
    });
    expect((await waymark.sessions.track({ ...scope, token: started.token, records: [{ name: 'a' }, { name: 'b', status: 'error' }] })).recorded).toBe(2);

    const refreshed = await waymark.sessions.refresh({ ...scope, refreshToken: started.refreshToken });
    expect(refreshed.sessionId).toBe(started.sessionId);

    const listed = await waymark.sessions.listActive({ ...scope, identifier: data.userId });
    expect(listed.sessions.map((session) => session.sessionId)).toContain(started.sessionId);

    const extended = await waymark.sessions.extend({ ...scope, sessionId: started.sessionId, by: { value: 1, unit: 'days' } });
    expect(Date.parse(extended.refreshExpiresAt)).toBeGreaterThan(Date.parse(refreshed.refreshExpiresAt));

    expect(await waymark.sessions.revoke({ ...scope, sessionId: started.sessionId })).toEqual({ revoked: [started.sessionId] });
    expect(await waymark.sessions.verify({ ...scope, token: refreshed.token })).toEqual({ valid: false, reason: 'revoked' });

    const journey = await waitFor(
      () => waymark.journeys.get({ ...scope, identifier: data.userId }),
      (j) => j.events.length >= 7,
    );
    expect(journey.events.map((event) => event.type)).toEqual([
      'SessionStarted',
      'SessionActivityRecorded',
      'SessionActivityRecorded',
      'SessionActivityRecorded',
      'SessionRefreshed',
      'SessionExtended',
      'SessionRevoked',
    ]);
  });

  it('manages specs', async () => {
    const created = await waymark.specs.create('my-product-tag', { tag: 'support-chat', name: 'Support chat', selector: 'agentId' });
    expect(created.revision).toBe(1);
    const updated = await waymark.specs.update('my-product-tag', { tag: 'support-chat', name: 'Support', selector: 'agentId' }, 1);
    expect(updated.revision).toBe(2);
    expect((await waymark.specs.list('my-product-tag')).specs.map((entry) => entry.spec.tag)).toContain('support-chat');
    expect(await waymark.specs.delete('my-product-tag', 'support-chat')).toMatchObject({ deleted: true, revision: 3 });
  });

  it('raises typed errors carrying the problem code and the fields at fault', async () => {
    const error = await waymark.sessions.start({ ...scope, data: { name: 'no id' } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaymarkError);
    expect(error).toMatchObject({ status: 422, code: 'IDENTIFIER_MISSING', fieldErrors: [{ field: 'data.userId' }] });

    const wrongKey = new WaymarkClient({ baseUrl: api.baseUrl, apiKey: 'nope' });
    await expect(wrongKey.sessions.start({ ...scope, data })).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });

    const unreachable = new WaymarkClient({ baseUrl: 'http://127.0.0.1:9', apiKey: TEST_KEY, timeoutMs: 2000 });
    await expect(unreachable.sessions.start({ ...scope, data })).rejects.toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
  });
});
