import { MAX_JSON_DEPTH } from '@waymark/domain';
import { RunningApi, SEED_BODY, postJson, readJson, startApi } from '../support/api-app';
import { LogObserver, observeLog } from '../support/log-observer';

const DAY = 86_400_000;
const scope = { product: SEED_BODY.product, env: SEED_BODY.env, tag: SEED_BODY.tag };

/** `{"a":{"a":...1}}` nested `depth` levels. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

describe('values are checked at the edge against the read model, and a refusal appends nothing', () => {
  let api: RunningApi;
  let log: LogObserver;
  let token: string;
  // Read from outside the app (the SQLite file, or the topic's end offsets), so both modes are checked.
  const eventCount = () => log.events();

  beforeAll(async () => {
    api = await startApi();
    log = await observeLog(api);
    token = (await readJson(await postJson(`${api.baseUrl}/v1/sessions`, SEED_BODY))).token;
  });

  afterAll(async () => {
    await log.close();
    await api.close();
  });

  /** POSTs, expects a 4xx problem naming `field`, and that the log did not grow. */
  async function expectRefused(path: string, body: unknown, status: number, field: string): Promise<string> {
    const before = await eventCount();
    const response = await postJson(`${api.baseUrl}${path}`, body);
    const problem = await readJson(response);
    expect({ status: response.status, fields: problem.errors?.map((error: { field: string }) => error.field) }).toEqual({
      status,
      fields: expect.arrayContaining([field]),
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await eventCount()).toBe(before);
    return problem.errors.find((error: { field: string }) => error.field === field).message;
  }

  const activity = (record: Record<string, unknown>) => ({ ...scope, token, record });

  it('refuses an occurredAt the read model cannot store (it was acknowledged 201, then stalled the projector)', async () => {
    expect(await expectRefused('/v1/sessions/activity', activity({ name: 'x', occurredAt: '1800-01-01T00:00:00Z' }), 400, 'record.occurredAt')).toMatch(
      /must lie between 1970/,
    );
    await expectRefused('/v1/sessions/activity', activity({ name: 'x', occurredAt: '2200-01-01T00:00:00Z' }), 400, 'record.occurredAt');
  });

  it('refuses an occurredAt outside the window around the server clock (30 days back, 10 minutes ahead), naming the record', async () => {
    expect(
      await expectRefused(
        '/v1/sessions/activity',
        activity({ name: 'x', occurredAt: new Date(Date.now() - 31 * DAY).toISOString() }),
        400,
        'record.occurredAt',
      ),
    ).toMatch(/30 days before/);
    const batch = { ...scope, token, records: [{ name: 'ok' }, { name: 'ahead', occurredAt: new Date(Date.now() + 11 * 60_000).toISOString() }] };
    expect(await expectRefused('/v1/sessions/activity', batch, 400, 'records.1.occurredAt')).toMatch(/10 minutes after/);

    const inside = await postJson(`${api.baseUrl}/v1/sessions/activity`, {
      ...scope,
      token,
      records: [
        { name: 'late', occurredAt: new Date(Date.now() - 29 * DAY).toISOString() },
        { name: 'skewed', occurredAt: new Date(Date.now() + 5 * 60_000).toISOString() },
      ],
    });
    expect(inside.status).toBe(201);
  });

  it('refuses control characters in names, status, processId and property keys', async () => {
    await expectRefused('/v1/sessions/activity', activity({ name: 'pay\nFORGED line' }), 400, 'record.name');
    await expectRefused('/v1/sessions/activity', activity({ name: 'x', parent: 'a\u0000b' }), 400, 'record.parent');
    await expectRefused('/v1/sessions/activity', activity({ name: 'x', status: 'ok\u0085' }), 400, 'record.status');
    await expectRefused('/v1/sessions/activity', activity({ name: 'x', processId: '\u001b[31m' }), 400, 'record.processId');
    await expectRefused('/v1/sessions/activity', activity({ name: 'x', properties: { 'bad\tkey': 1 } }), 400, 'record.properties.bad\tkey');
  });

  it('refuses properties and session data nested past the limit, naming the field (deeper bodies answered 500)', async () => {
    expect(await expectRefused('/v1/sessions/activity', activity({ name: 'x', properties: nested(MAX_JSON_DEPTH) }), 400, 'record.properties')).toMatch(
      /nests deeper than/,
    );
    expect(await expectRefused('/v1/sessions', { ...SEED_BODY, data: { userId: 'u', deep: nested(MAX_JSON_DEPTH) } }, 400, 'data')).toMatch(
      /nests deeper than/,
    );
    const ok = await postJson(`${api.baseUrl}/v1/sessions/activity`, activity({ name: 'x', properties: nested(MAX_JSON_DEPTH - 2) }));
    expect(ok.status).toBe(201);
  });

  it('refuses an identifier the spec selects from data when it holds a control character or is too long', async () => {
    await expectRefused('/v1/sessions', { ...SEED_BODY, data: { userId: 'user\r\n1' } }, 422, 'data.userId');
    await expectRefused('/v1/sessions', { ...SEED_BODY, data: { userId: 'u'.repeat(257) } }, 422, 'data.userId');
  });

  it('refuses half a surrogate pair anywhere in a body (ClickHouse cannot parse it: acknowledged, then dead-lettered)', async () => {
    // JSON.stringify writes a lone surrogate as the escape \udbff, as any client would.
    expect(await expectRefused('/v1/sessions', { ...SEED_BODY, data: { userId: 'lone-\udbff' } }, 400, 'data.userId')).toMatch(/surrogate/);
    await expectRefused('/v1/sessions/activity', activity({ name: 'x', properties: { note: 'a\udc00b' } }), 400, 'record.properties.note');
  });

  it('refuses control characters in identifiers given directly', async () => {
    await expectRefused('/v1/sessions/revoke', { ...scope, identifier: 'user\u0000' }, 400, 'identifier');
    const list = await fetch(`${api.baseUrl}/v1/sessions/active?${new URLSearchParams({ ...scope, identifier: 'a\nb' })}`, {
      headers: { authorization: `Bearer test-bootstrap-key-0123456789abcdef` },
    });
    expect(list.status).toBe(400);
    expect((await readJson(list)).errors[0].field).toBe('identifier');
  });

  it('refuses a replay starting at a time no log position has', async () => {
    await expectRefused('/v1/admin/replays', { from: '1800-01-01T00:00:00Z', dryRun: true }, 400, 'from');
  });
});

describe('the activity window is a setting', () => {
  it('follows ACTIVITY_MAX_AGE_MS and ACTIVITY_MAX_FUTURE_MS', async () => {
    const api = await startApi({ ACTIVITY_MAX_AGE_MS: '120000', ACTIVITY_MAX_FUTURE_MS: '0' });
    try {
      const { token } = await readJson(await postJson(`${api.baseUrl}/v1/sessions`, SEED_BODY));
      const post = (occurredAt: number) =>
        postJson(`${api.baseUrl}/v1/sessions/activity`, { ...scope, token, record: { name: 'x', occurredAt: new Date(occurredAt).toISOString() } });
      expect((await post(Date.now() - 5 * 60_000)).status).toBe(400);
      expect((await post(Date.now() + 60_000)).status).toBe(400);
      expect((await post(Date.now() - 60_000)).status).toBe(201);
    } finally {
      await api.close();
    }
  });
});
