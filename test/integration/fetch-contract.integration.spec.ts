import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { assertFetchedAnswersClean, checkAnswersFrom } from '../support/fetch-contract';
import { spawnedApiAnswers } from '../support/spawned-api-answers';

/**
 * The check on answers of API processes run as children (fetch-contract.ts, installed in
 * every test file): a stand-in server plays such a process, answering what the test
 * tells it to, and the check must pass what the document describes and report the rest.
 */
describe('answers of spawned API processes, checked against the OpenAPI document', () => {
  let server: Server;
  let baseUrl: string;
  let next: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '{}' };

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(next.status, { 'content-type': next.type });
      response.end(next.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    checkAnswersFrom(baseUrl, spawnedApiAnswers);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('finds the route that serves a method and path, static segments first', () => {
    expect(spawnedApiAnswers.routeOf('POST', '/v1/sessions')).toBe('/v1/sessions');
    expect(spawnedApiAnswers.routeOf('POST', '/v1/sessions/verify')).toBe('/v1/sessions/verify');
    expect(spawnedApiAnswers.routeOf('PUT', '/v1/products/shop/session-specs/checkout')).toBe('/v1/products/:product/session-specs/:tag');
    expect(spawnedApiAnswers.routeOf('GET', '/v1/nothing-here')).toBeUndefined();
    expect(spawnedApiAnswers.routeOf('DELETE', '/v1/sessions')).toBeUndefined();
  });

  it('passes a described answer, and reports an undescribed status and a body off its schema', async () => {
    const problem = { type: 'urn:waymark:problem:unauthorized', title: 'Unauthorized', status: 401, detail: 'an API key is required', code: 'UNAUTHORIZED' };
    next = { status: 401, type: 'application/problem+json', body: JSON.stringify(problem) };
    await fetch(`${baseUrl}/v1/sessions`, { method: 'POST', body: '{}' });
    expect(() => assertFetchedAnswersClean()).not.toThrow();

    next = { status: 418, type: 'application/json', body: '{}' };
    await fetch(`${baseUrl}/v1/sessions`, { method: 'POST', body: '{}' });
    next = { status: 201, type: 'application/json', body: JSON.stringify({ token: 42 }) };
    await fetch(`${baseUrl}/v1/sessions`, { method: 'POST', body: '{}' });
    expect(() => assertFetchedAnswersClean()).toThrow(
      /2 response\(s\) the OpenAPI document does not describe:[\s\S]*status 418 is not documented[\s\S]*does not match the documented schema/,
    );

    // Paths no route serves are not the document's business (the server's 404 is checked in process).
    next = { status: 404, type: 'text/plain', body: 'no' };
    await fetch(`${baseUrl}/v1/nothing-here`);
    expect(() => assertFetchedAnswersClean()).not.toThrow();
  });
});
