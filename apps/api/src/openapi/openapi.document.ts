import { z } from 'zod';
import { getJourneyQuerySchema } from '../journeys/get-journey.dto';
import {
  extendSessionBodySchema,
  listActiveQuerySchema,
  recordActivityBodySchema,
  refreshSessionBodySchema,
  revokeSessionsBodySchema,
  startSessionBodySchema,
  verifySessionBodySchema,
} from '../sessions/sessions.dto';
import { sessionSpecSchema, updateSpecBodySchema } from '../specs/specs.dto';

type Json = Record<string, unknown>;

/** Request schemas come from the same zod schemas that validate the requests. */
function schemaOf(schema: z.ZodType): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

function queryParameters(schema: z.ZodObject): Json[] {
  const json = schemaOf(schema) as { properties: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties).map(([name, property]) => ({ name, in: 'query', required: json.required?.includes(name) ?? false, schema: property }));
}

const problem = (status: number, code: string, detail: string, field?: string) => ({
  description: code,
  content: {
    'application/problem+json': {
      schema: { $ref: '#/components/schemas/Problem' },
      example: { type: `urn:waymark:problem:${code.toLowerCase().replace(/_/g, '-')}`, title: '', status, detail, code, ...(field ? { errors: [{ field, message: detail }] } : {}) },
    },
  },
});

const common = {
  '400': problem(400, 'INVALID_REQUEST', 'product: Invalid input: expected string, received undefined', 'product'),
  '401': problem(401, 'UNAUTHORIZED', 'an API key is required: Authorization: Bearer <key>'),
  '403': problem(403, 'FORBIDDEN', "this API key does not have the 'secret' role this operation needs"),
  '429': problem(429, 'RATE_LIMITED', 'too many requests for this API key; retry after 1 s'),
};

const ok = (description: string, example: unknown) => ({ description, content: { 'application/json': { example } } });
const body = (schema: z.ZodType, example: unknown) => ({ required: true, content: { 'application/json': { schema: schemaOf(schema), example } } });

const scope = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };
const sessionId = '01a218e6-9252-7028-90b9-e2b6246988be';
const token = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoi...';
const refreshToken = `wmr1.${sessionId}.j_Slp9COEyr8q5iUp_yoVn2MC6jufl8T1CUweAXwu4I`;
const tokens = { token, refreshToken, sessionId, expiresAt: '2026-11-26T18:28:13.000Z', refreshExpiresAt: '2026-12-26T17:28:13.000Z' };
const seedData = { userId: '1919102009383', details: { username: 'feekayo', email: 'fikayo@ductape.app' } };
const spec = { tag: 'checkout', name: 'Checkout', selector: 'customer.email', expiry: { value: 15, unit: 'minutes' }, refreshExpiry: { value: 7, unit: 'days' }, schema: { 'customer.email': { type: 'string', required: true } } };

/** The OpenAPI 3.1 description served at /docs/openapi.json; every operation has an example. */
export function buildOpenApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Waymark',
      version: '0.1.0',
      description:
        'Event-sourced session analytics. Start sessions for your users, record what you do on their behalf, read their journeys. Errors are RFC 9457 problem details with a stable `code` and the fields at fault.',
    },
    security: [{ apiKey: [] }],
    tags: [{ name: 'sessions', description: 'Secret keys (backends only)' }, { name: 'journeys', description: 'Read keys' }, { name: 'session specs', description: 'Admin keys' }, { name: 'health' }],
    paths: {
      '/v1/sessions': {
        post: {
          tags: ['sessions'],
          summary: 'Start a session (sessions.start)',
          description: "Answers once the SessionStarted event is durable. The user's identifier is read from `data` by the spec's selector.",
          requestBody: body(startSessionBodySchema, { ...scope, data: seedData }),
          responses: { '201': ok('Tokens for the new session', tokens), ...common, '422': problem(422, 'IDENTIFIER_MISSING', 'data.userId is required', 'data.userId') },
        },
      },
      '/v1/sessions/verify': {
        post: {
          tags: ['sessions'],
          summary: 'Verify a session token',
          description: 'A valid token needs no store read; a revoked session is refused at once.',
          requestBody: body(verifySessionBodySchema, { ...scope, token }),
          responses: { '200': ok('Validity and, when valid, the decrypted data', { valid: true, sessionId, identifier: '1919102009383', data: seedData, expiresAt: tokens.expiresAt }), ...common },
        },
      },
      '/v1/sessions/refresh': {
        post: {
          tags: ['sessions'],
          summary: 'Refresh: a new token and a new refresh token',
          description: 'Each refresh token works once. A retry within the grace window gets the same answer; a spent token presented after it revokes the session (RFC 9700 §4.14.2).',
          requestBody: body(refreshSessionBodySchema, { ...scope, refreshToken }),
          responses: { '200': ok('The new pair', tokens), ...common, '401': problem(401, 'REFRESH_TOKEN_REUSED', 'this refresh token was already used; the session has been revoked', 'refreshToken') },
        },
      },
      '/v1/sessions/revoke': {
        post: {
          tags: ['sessions'],
          summary: "Revoke a session, or all of a user's sessions in the tag",
          requestBody: body(revokeSessionsBodySchema, { ...scope, identifier: '1919102009383', exceptSessionId: sessionId }),
          responses: { '200': ok('Sessions this call revoked', { revoked: ['01a218e6-9300-7000-8000-000000000001'] }), ...common, '404': problem(404, 'SESSION_NOT_FOUND', 'no session in this product, env and tag', 'sessionId') },
        },
      },
      '/v1/sessions/extend': {
        post: {
          tags: ['sessions'],
          summary: "Push a session's end out",
          requestBody: body(extendSessionBodySchema, { ...scope, sessionId, by: { value: 7, unit: 'days' } }),
          responses: { '200': ok('The new end', { sessionId, refreshExpiresAt: '2027-01-02T17:28:13.000Z' }), ...common },
        },
      },
      '/v1/sessions/activity': {
        post: {
          tags: ['sessions'],
          summary: 'Record calls made on the session’s behalf (one or up to 500)',
          requestBody: body(recordActivityBodySchema, { ...scope, token, records: [{ name: 'POST /checkout', parent: 'cart', status: 'success', latencyMs: 83, processId: 'worker-3', properties: { items: 2 } }] }),
          responses: { '201': ok('Recorded', { recorded: 1, sessionId }), ...common, '401': problem(401, 'SESSION_EXPIRED', 'the session token has expired; refresh it', 'token') },
        },
      },
      '/v1/sessions/active': {
        get: {
          tags: ['sessions'],
          summary: "A user's live sessions, paged",
          parameters: queryParameters(listActiveQuerySchema),
          responses: { '200': ok('Page of sessions', { total: 1, page: 1, pageSize: 20, sessions: [{ sessionId, startAt: '2026-11-26T17:28:13.650Z', endAt: tokens.refreshExpiresAt, active: true }] }), ...common },
        },
      },
      '/v1/journeys': {
        get: {
          tags: ['journeys'],
          summary: "One identifier's sessions and events, in time order",
          parameters: queryParameters(getJourneyQuerySchema),
          responses: {
            '200': ok('The journey', {
              ...scope,
              identifier: '1919102009383',
              sessions: [{ sessionId, startedAt: '2026-11-26T17:28:13.650Z', lastEventAt: '2026-11-26T17:29:01.002Z', eventCount: 2 }],
              events: [
                { id: '01a218e6-9256-7073-ac13-fb7d217bc58a', type: 'SessionStarted', version: 1, occurredAt: '2026-11-26T17:28:13.650Z', sessionId, data: { expiresAt: tokens.expiresAt, refreshExpiresAt: tokens.refreshExpiresAt, sealedData: 'eyJhbGciOiJkaXIi...' }, meta: { source: 'api' } },
                { id: '01a218e7-4a0a-7000-8000-000000000002', type: 'SessionActivityRecorded', version: 1, occurredAt: '2026-11-26T17:29:01.002Z', sessionId, data: { name: 'POST /checkout', status: 'success', latencyMs: 83 }, meta: { source: 'api' } },
              ],
              truncated: false,
            }),
            ...common,
          },
        },
      },
      '/v1/products/{product}/session-specs': {
        parameters: [{ name: 'product', in: 'path', required: true, schema: { type: 'string' }, example: 'my-product-tag' }],
        get: { tags: ['session specs'], summary: "List a product's session specs", responses: { '200': ok('Specs', { product: 'my-product-tag', specs: [{ product: 'my-product-tag', revision: 1, spec }] }), ...common } },
        post: {
          tags: ['session specs'],
          summary: 'Create a session spec',
          requestBody: body(sessionSpecSchema, spec),
          responses: { '201': ok('Created', { product: 'my-product-tag', revision: 1, spec }), ...common, '409': problem(409, 'SESSION_SPEC_EXISTS', "session tag 'checkout' already exists", 'tag') },
        },
      },
      '/v1/products/{product}/session-specs/{tag}': {
        parameters: [
          { name: 'product', in: 'path', required: true, schema: { type: 'string' }, example: 'my-product-tag' },
          { name: 'tag', in: 'path', required: true, schema: { type: 'string' }, example: 'checkout' },
        ],
        get: { tags: ['session specs'], summary: 'Fetch a session spec', responses: { '200': ok('The spec', { product: 'my-product-tag', revision: 2, spec }), ...common, '404': problem(404, 'SPEC_NOT_FOUND', "session tag 'checkout' is not defined", 'tag') } },
        put: {
          tags: ['session specs'],
          summary: 'Update a session spec (applies to sessions started afterwards)',
          parameters: [{ name: 'if-match', in: 'header', required: false, schema: { type: 'string' }, example: '"1"', description: 'Refuse (409) unless the spec is still at this revision' }],
          requestBody: body(updateSpecBodySchema, { ...spec, name: 'Checkout v2' }),
          responses: { '200': ok('Updated', { product: 'my-product-tag', revision: 2, spec: { ...spec, name: 'Checkout v2' } }), ...common, '409': problem(409, 'SESSION_SPEC_CONFLICT', 'spec is at revision 2, not 1', 'revision') },
        },
        delete: { tags: ['session specs'], summary: 'Delete a session spec (issued tokens stay valid until they expire)', responses: { '200': ok('Deleted', { product: 'my-product-tag', tag: 'checkout', revision: 3, deleted: true }), ...common } },
      },
      '/health/live': { get: { tags: ['health'], security: [], summary: 'Liveness', responses: { '200': ok('Alive', { status: 'ok' }) } } },
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: wmk_<id>_<secret>' } },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail', 'code'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string' },
            instance: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
  };
}
