import { connect } from 'node:net';
import { AUTH, RunningApi, SEED_BODY, readJson, startApi } from '../support/api-app';
import { LogObserver, observeLog } from '../support/log-observer';
import { waitFor } from '../support/wait-for';

/** Sends bytes as they are (no client fixing them up) and returns the raw answer. */
function rawExchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(payload));
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve(answer) : reject(error)));
  });
}

/** The fields of a problem+json answer these tests read. */
interface Problem {
  code: string;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
}

function parseRaw(answer: string): { status: number; headers: string; body: Problem } {
  const [head, ...rest] = answer.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: JSON.parse(rest.join('\r\n\r\n')) };
}

describe('the HTTP edge answers every refusal as problem+json', () => {
  let api: RunningApi;
  let log: LogObserver;
  let port: number;
  // Read from outside the app (the SQLite file, or the topic's end offsets), so both modes are checked.
  const eventCount = () => log.events();

  beforeAll(async () => {
    api = await startApi();
    port = Number(new URL(api.baseUrl).port);
    log = await observeLog(api);
  });

  afterAll(async () => {
    await log.close();
    await api.close();
  });

  async function expectProblem(response: Response, status: number, code: string, field?: string): Promise<Problem> {
    const body = (await readJson(response)) as Problem;
    expect({ status: response.status, code: body.code }).toEqual({ status, code });
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    if (field !== undefined) expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    return body;
  }

  it('answers a wrong method on a known path 405 with Allow, and an unknown path still 404', async () => {
    const wrong = await fetch(`${api.baseUrl}/v1/sessions`, { method: 'DELETE', headers: AUTH });
    await expectProblem(wrong, 405, 'METHOD_NOT_ALLOWED');
    expect(wrong.headers.get('allow')).toBe('POST');

    const specs = await fetch(`${api.baseUrl}/v1/products/my-product-tag/session-specs/session-tag`, { method: 'POST', headers: AUTH });
    await expectProblem(specs, 405, 'METHOD_NOT_ALLOWED');
    expect(specs.headers.get('allow')).toMatch(/DELETE.*GET.*PUT/);

    await expectProblem(await fetch(`${api.baseUrl}/v1/nothing-here`, { method: 'DELETE', headers: AUTH }), 404, 'NOT_FOUND');
  });

  it('answers a body that is not JSON 415, form-encoded and text included, and appends nothing', async () => {
    const before = await eventCount();
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
      const response = await fetch(`${api.baseUrl}/v1/sessions`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': type },
        body: 'product=my-product-tag&env=snd&tag=session-tag&data=1',
      });
      await expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE', 'body');
    }
    const untyped = parseRaw(
      await rawExchange(
        port,
        `POST /v1/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH.authorization}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      ),
    );
    expect(untyped.status).toBe(415);
    expect(untyped.headers).toContain('content-type: application/problem+json');
    expect(await eventCount()).toBe(before);
  });

  it('answers an empty, a malformed and an oversized JSON body with stable codes naming the body', async () => {
    const post = (body: string) => fetch(`${api.baseUrl}/v1/sessions`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body });
    await expectProblem(await post(''), 400, 'INVALID_REQUEST', 'body');
    await expectProblem(await post('{"product":'), 400, 'INVALID_REQUEST', 'body');
    await expectProblem(await post(JSON.stringify({ ...SEED_BODY, data: { userId: 'u', blob: 'x'.repeat(2 * 1024 * 1024) } })), 413, 'BODY_TOO_LARGE', 'body');
  });

  it('refuses deeply nested JSON on the text, before anything recursive runs (it answered 500)', async () => {
    const before = await eventCount();
    const deep = `{"product":"my-product-tag","env":"snd","tag":"session-tag","data":{"userId":"u","d":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}}`;
    const response = await fetch(`${api.baseUrl}/v1/sessions`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: deep });
    const body = await expectProblem(response, 400, 'INVALID_REQUEST', 'body');
    expect(body.detail).toMatch(/nests deeper than/);
    expect(await eventCount()).toBe(before);
  });

  it('refuses __proto__ and constructor.prototype keys with a message that says so, naming the field', async () => {
    const before = await eventCount();
    const post = (body: string) => fetch(`${api.baseUrl}/v1/sessions`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body });
    const proto = await expectProblem(
      await post('{"product":"my-product-tag","env":"snd","tag":"session-tag","data":{"userId":"u","__proto__":{"admin":true}}}'),
      400,
      'INVALID_REQUEST',
      'data.__proto__',
    );
    expect(proto.errors?.[0].message).toMatch(/__proto__ is refused/);
    const ctor = await expectProblem(
      await post('{"product":"my-product-tag","env":"snd","tag":"session-tag","data":{"userId":"u","constructor":{"prototype":{"x":1}}}}'),
      400,
      'INVALID_REQUEST',
      'data.constructor.prototype',
    );
    expect(ctor.errors?.[0].message).toMatch(/constructor\.prototype is refused/);
    expect(await eventCount()).toBe(before);
  });

  it('answers a path with bad percent-encoding 400 INVALID_URL as problem+json', async () => {
    await expectProblem(await fetch(`${api.baseUrl}/v1/products/%E0%A4%A/session-specs`, { headers: AUTH }), 400, 'INVALID_URL', 'url');
  });

  it('answers a long URL 414 and oversized headers 431, as problem+json', async () => {
    await expectProblem(await fetch(`${api.baseUrl}/v1/sessions/active?identifier=${'a'.repeat(10_000)}`, { headers: AUTH }), 414, 'URI_TOO_LONG', 'url');

    const longTarget = parseRaw(await rawExchange(port, `GET /v1/sessions/active?identifier=${'a'.repeat(40_000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
    expect({ status: longTarget.status, code: longTarget.body.code }).toEqual({ status: 414, code: 'URI_TOO_LONG' });
    expect(longTarget.headers).toContain('content-type: application/problem+json');

    const bigHeaders = parseRaw(await rawExchange(port, `GET /v1/sessions/active HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`));
    expect({ status: bigHeaders.status, code: bigHeaders.body.code }).toEqual({ status: 431, code: 'HEADERS_TOO_LARGE' });
    expect(bigHeaders.headers).toContain('content-type: application/problem+json');

    const garbage = parseRaw(await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n'));
    expect({ status: garbage.status, code: garbage.body.code }).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
  });

  it('still serves the real thing', async () => {
    const response = await fetch(`${api.baseUrl}/v1/sessions`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(SEED_BODY),
    });
    expect(response.status).toBe(201);
  });
});

describe('while shutting down', () => {
  it('answers requests that still arrive 503 SHUTTING_DOWN as problem+json, with Retry-After', async () => {
    const api = await startApi();
    const port = Number(new URL(api.baseUrl).port);
    // Two connections with a request begun: the server cannot finish closing while they are open.
    const holding = connect(port, '127.0.0.1');
    const late = connect(port, '127.0.0.1');
    let answer = '';
    late.on('data', (chunk) => (answer += chunk.toString()));
    await Promise.all([holding, late].map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
    holding.write('GET /v1/sessions/active HTTP/1.1\r\nHost: x\r\n');
    late.write(`GET /v1/sessions/active?product=p&env=e&tag=t&identifier=u HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH.authorization}\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const closed = api.close();
    await waitFor(
      () => api.app.getHttpServer().listening,
      (listening) => !listening,
      15_000,
    );
    late.write('\r\n');
    await waitFor(
      () => answer,
      (text) => text.includes('}'),
    );
    const response = parseRaw(answer);
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 503, code: 'SHUTTING_DOWN' });
    expect(response.headers).toContain('content-type: application/problem+json');
    expect(response.headers).toContain('retry-after:');

    holding.destroy();
    late.destroy();
    await closed;
  });
});
