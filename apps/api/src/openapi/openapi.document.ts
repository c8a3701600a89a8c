import { z } from 'zod';
import {
  funnelQuerySchema,
  listUsersQuerySchema,
  pathsQuerySchema,
  retentionQuerySchema,
  tagDashboardQuerySchema,
  userDashboardQuerySchema,
  userJourneyQuerySchema,
  userProfileQuerySchema,
} from '../analytics/analytics.dto';
import { liveQuerySchema } from '../analytics/live/live.dto';
import { funnelUsersQuerySchema, stepNamesQuerySchema, stepUsersQuerySchema } from '../analytics/drill/drill.dto';
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
import { startReplayBodySchema } from '../operations/replay.dto';
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
      example: {
        type: `urn:waymark:problem:${code.toLowerCase().replace(/_/g, '-')}`,
        title: '',
        status,
        detail,
        code,
        ...(field ? { errors: [{ field, message: detail }] } : {}),
      },
    },
  },
});

const common = {
  '400': problem(400, 'INVALID_REQUEST', 'product: Invalid input: expected string, received undefined', 'product'),
  '401': problem(401, 'UNAUTHORIZED', 'an API key is required: Authorization: Bearer <key>'),
  '403': problem(403, 'FORBIDDEN', "this API key does not have the 'secret' role this operation needs"),
  '429': problem(429, 'RATE_LIMITED', 'too many requests for this API key; retry after 1 s'),
  // Answered at the HTTP edge, before a route runs (libs/http framework-refusals.ts).
  '414': problem(414, 'URI_TOO_LONG', 'the request target is longer than 8192 characters', 'url'),
  '431': problem(431, 'HEADERS_TOO_LARGE', 'the request headers are too large', 'headers'),
};

/** Operations that take a body: it must be JSON (415) within BODY_LIMIT_BYTES (413). */
const commonWithBody = {
  ...common,
  '413': problem(413, 'BODY_TOO_LARGE', 'Request body is too large', 'body'),
  '415': problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'must be sent as application/json', 'body'),
};

const ok = (description: string, example: unknown) => ({ description, content: { 'application/json': { example } } });
const body = (schema: z.ZodType, example: unknown) => ({ required: true, content: { 'application/json': { schema: schemaOf(schema), example } } });

const scope = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };
const sessionId = '01a218e6-9252-7028-90b9-e2b6246988be';
const token = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoi...';
const refreshToken = `wmr1.${sessionId}.j_Slp9COEyr8q5iUp_yoVn2MC6jufl8T1CUweAXwu4I`;
const tokens = { token, refreshToken, sessionId, expiresAt: '2026-11-26T18:28:13.000Z', refreshExpiresAt: '2026-12-26T17:28:13.000Z' };
const seedData = { userId: '1919102009383', details: { username: 'feekayo', email: 'fikayo@ductape.app' } };
const replayId = '01a21b40-5f2e-7c11-9d3a-8e2f5b6c7d10';
const replayProgress = {
  id: replayId,
  status: 'running',
  phase: 'replaying',
  processed: 420000,
  total: 1000000,
  skipped: 0,
  eventsPerSecond: 41000,
  etaSeconds: 15,
  reached: '420000',
};
const replayIdParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const spec = {
  tag: 'checkout',
  name: 'Checkout',
  selector: 'customer.email',
  expiry: { value: 15, unit: 'minutes' },
  refreshExpiry: { value: 7, unit: 'days' },
  schema: { 'customer.email': { type: 'string', required: true } },
};

/** The OpenAPI 3.1 description served at /docs/openapi.json; every operation has an example. */
export function buildOpenApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Waymark',
      version: '0.1.0',
      description:
        'Event-sourced session analytics. Start sessions for your users, record what you do on their behalf, read their journeys. Errors are RFC 9457 problem details with a stable `code` and the fields at fault. Bodies are JSON only (415 otherwise), nested at most 64 levels, without `__proto__` or `constructor.prototype` keys; a method a path does not have answers 405 with `Allow`; 503 SHUTTING_DOWN while an instance stops.',
    },
    security: [{ apiKey: [] }],
    tags: [
      { name: 'sessions', description: 'Secret keys (backends only)' },
      { name: 'journeys', description: 'Read keys' },
      { name: 'session specs', description: 'Admin keys' },
      {
        name: 'analytics',
        description:
          'Read keys: users, journeys, dashboards, paths, funnels, retention. Every query takes tz (an IANA zone name, canonical or alias, known to both the server and its ClickHouse; default UTC) and from/to (ISO instant, or a date in tz; a date `to` includes its day; between 1970-01-01 and 2106-02-07); without env, every env the key may read.',
      },
      { name: 'operations', description: 'Admin keys: rebuild the read model from the event log (docs/operations.md)' },
      { name: 'health' },
    ],
    paths: {
      '/v1/sessions': {
        post: {
          tags: ['sessions'],
          summary: 'Start a session (sessions.start)',
          description: "Answers once the SessionStarted event is durable. The user's identifier is read from `data` by the spec's selector.",
          requestBody: body(startSessionBodySchema, { ...scope, data: seedData }),
          responses: {
            '201': ok('Tokens for the new session', tokens),
            ...commonWithBody,
            '422': problem(422, 'IDENTIFIER_MISSING', 'data.userId is required', 'data.userId'),
          },
        },
      },
      '/v1/sessions/verify': {
        post: {
          tags: ['sessions'],
          summary: 'Verify a session token',
          description: 'A valid token needs no store read; a revoked session is refused at once.',
          requestBody: body(verifySessionBodySchema, { ...scope, token }),
          responses: {
            '200': ok('Validity and, when valid, the decrypted data', {
              valid: true,
              sessionId,
              identifier: '1919102009383',
              data: seedData,
              expiresAt: tokens.expiresAt,
            }),
            ...commonWithBody,
          },
        },
      },
      '/v1/sessions/refresh': {
        post: {
          tags: ['sessions'],
          summary: 'Refresh: a new token and a new refresh token',
          description:
            'Each refresh token works once. A retry within the grace window gets the same answer; a spent token presented after it revokes the session (RFC 9700 §4.14.2).',
          requestBody: body(refreshSessionBodySchema, { ...scope, refreshToken }),
          responses: {
            '200': ok('The new pair', tokens),
            ...commonWithBody,
            '401': problem(401, 'REFRESH_TOKEN_REUSED', 'this refresh token was already used; the session has been revoked', 'refreshToken'),
          },
        },
      },
      '/v1/sessions/revoke': {
        post: {
          tags: ['sessions'],
          summary: "Revoke a session, or all of a user's sessions in the tag",
          requestBody: body(revokeSessionsBodySchema, { ...scope, identifier: '1919102009383', exceptSessionId: sessionId }),
          responses: {
            '200': ok('Sessions this call revoked', { revoked: ['01a218e6-9300-7000-8000-000000000001'] }),
            ...commonWithBody,
            '404': problem(404, 'SESSION_NOT_FOUND', 'no session in this product, env and tag', 'sessionId'),
          },
        },
      },
      '/v1/sessions/extend': {
        post: {
          tags: ['sessions'],
          summary: "Push a session's end out",
          requestBody: body(extendSessionBodySchema, { ...scope, sessionId, by: { value: 7, unit: 'days' } }),
          responses: { '200': ok('The new end', { sessionId, refreshExpiresAt: '2027-01-02T17:28:13.000Z' }), ...commonWithBody },
        },
      },
      '/v1/sessions/activity': {
        post: {
          tags: ['sessions'],
          summary: 'Record calls made on the session’s behalf (one or up to 500)',
          description:
            '`occurredAt` (default: the time of receipt) must lie within ACTIVITY_MAX_AGE_MS (30 days) before and ACTIVITY_MAX_FUTURE_MS (10 minutes) after the server clock, else 400 naming `record.occurredAt` / `records.N.occurredAt`. Names, status, processId and property keys carry no control characters; `properties` nests at most 31 levels.',
          requestBody: body(recordActivityBodySchema, {
            ...scope,
            token,
            records: [{ name: 'POST /checkout', parent: 'cart', status: 'success', latencyMs: 83, processId: 'worker-3', properties: { items: 2 } }],
          }),
          responses: {
            '201': ok('Recorded', { recorded: 1, sessionId }),
            ...commonWithBody,
            '401': problem(401, 'SESSION_EXPIRED', 'the session token has expired; refresh it', 'token'),
          },
        },
      },
      '/v1/sessions/active': {
        get: {
          tags: ['sessions'],
          summary: "A user's live sessions, paged",
          parameters: queryParameters(listActiveQuerySchema),
          responses: {
            '200': ok('Page of sessions', {
              total: 1,
              page: 1,
              pageSize: 20,
              sessions: [{ sessionId, startAt: '2026-11-26T17:28:13.650Z', endAt: tokens.refreshExpiresAt, active: true }],
            }),
            ...common,
          },
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
                {
                  id: '01a218e6-9256-7073-ac13-fb7d217bc58a',
                  type: 'SessionStarted',
                  version: 1,
                  occurredAt: '2026-11-26T17:28:13.650Z',
                  sessionId,
                  data: { expiresAt: tokens.expiresAt, refreshExpiresAt: tokens.refreshExpiresAt, sealedData: 'eyJhbGciOiJkaXIi...' },
                  meta: { source: 'api' },
                },
                {
                  id: '01a218e7-4a0a-7000-8000-000000000002',
                  type: 'SessionActivityRecorded',
                  version: 1,
                  occurredAt: '2026-11-26T17:29:01.002Z',
                  sessionId,
                  data: { name: 'POST /checkout', status: 'success', latencyMs: 83 },
                  meta: { source: 'api' },
                },
              ],
              truncated: false,
            }),
            ...common,
          },
        },
      },
      '/v1/products/{product}/session-specs': {
        parameters: [{ name: 'product', in: 'path', required: true, schema: { type: 'string' }, example: 'my-product-tag' }],
        get: {
          tags: ['session specs'],
          summary: "List a product's session specs",
          responses: { '200': ok('Specs', { product: 'my-product-tag', specs: [{ product: 'my-product-tag', revision: 1, spec }] }), ...common },
        },
        post: {
          tags: ['session specs'],
          summary: 'Create a session spec',
          requestBody: body(sessionSpecSchema, spec),
          responses: {
            '201': ok('Created', { product: 'my-product-tag', revision: 1, spec }),
            ...commonWithBody,
            '409': problem(409, 'SESSION_SPEC_EXISTS', "session tag 'checkout' already exists", 'tag'),
          },
        },
      },
      '/v1/products/{product}/session-specs/{tag}': {
        parameters: [
          { name: 'product', in: 'path', required: true, schema: { type: 'string' }, example: 'my-product-tag' },
          { name: 'tag', in: 'path', required: true, schema: { type: 'string' }, example: 'checkout' },
        ],
        get: {
          tags: ['session specs'],
          summary: 'Fetch a session spec',
          responses: {
            '200': ok('The spec', { product: 'my-product-tag', revision: 2, spec }),
            ...common,
            '404': problem(404, 'SPEC_NOT_FOUND', "session tag 'checkout' is not defined", 'tag'),
          },
        },
        put: {
          tags: ['session specs'],
          summary: 'Update a session spec (applies to sessions started afterwards)',
          parameters: [
            {
              name: 'if-match',
              in: 'header',
              required: false,
              schema: { type: 'string' },
              example: '"1"',
              description: 'Refuse (409) unless the spec is still at this revision',
            },
          ],
          requestBody: body(updateSpecBodySchema, { ...spec, name: 'Checkout v2' }),
          responses: {
            '200': ok('Updated', { product: 'my-product-tag', revision: 2, spec: { ...spec, name: 'Checkout v2' } }),
            ...commonWithBody,
            '409': problem(409, 'SESSION_SPEC_CONFLICT', 'spec is at revision 2, not 1', 'revision'),
          },
        },
        delete: {
          tags: ['session specs'],
          summary: 'Delete a session spec (issued tokens stay valid until they expire)',
          responses: { '200': ok('Deleted', { product: 'my-product-tag', tag: 'checkout', revision: 3, deleted: true }), ...common },
        },
      },
      '/v1/analytics/users': {
        get: {
          tags: ['analytics'],
          summary: 'Users of a tag: identifiers with first and last seen, sessions and status, paged and searchable',
          description:
            'Status at the time of the request: active (a session is live), inactive (none live, the latest was revoked), expired (none live, the latest ran past its end). With from/to: users seen within the range.',
          parameters: queryParameters(listUsersQuerySchema),
          responses: {
            '200': ok('A page of users', {
              total: 2,
              page: 1,
              pageSize: 20,
              users: [
                {
                  identifier: '1919102009383',
                  env: 'snd',
                  firstSeen: '2026-11-20T09:00:00.000Z',
                  lastSeen: '2026-11-22T10:05:00.000Z',
                  sessions: 2,
                  status: 'active',
                },
                { identifier: 'bob', env: 'snd', firstSeen: '2026-11-20T14:00:00.000Z', lastSeen: '2026-11-20T14:03:00.000Z', sessions: 1, status: 'expired' },
              ],
            }),
            ...common,
          },
        },
      },
      '/v1/analytics/users/profile': {
        get: {
          tags: ['analytics'],
          summary: "One user's profile: status, sessions (start, end, active, duration, event count) and the latest session's data",
          description: 'The data is decrypted only for keys with the admin role; a read-only key gets `data: null, dataRedacted: true`.',
          parameters: queryParameters(userProfileQuerySchema),
          responses: {
            '200': ok('The profile', {
              identifier: '1919102009383',
              env: 'snd',
              firstSeen: '2026-11-20T09:00:00.000Z',
              lastSeen: '2026-11-22T10:05:00.000Z',
              status: 'active',
              sessionCount: 2,
              sessions: [
                {
                  sessionId,
                  startedAt: '2026-11-22T10:00:00.000Z',
                  endsAt: '2026-12-22T10:00:00.000Z',
                  revokedAt: null,
                  lastEventAt: '2026-11-22T10:05:00.000Z',
                  active: true,
                  durationMs: 300000,
                  eventCount: 6,
                },
              ],
              data: seedData,
              dataRedacted: false,
            }),
            ...common,
            '404': problem(404, 'SESSION_NOT_FOUND', "no sessions of 'nobody' in this product, env and tag", 'identifier'),
          },
        },
      },
      '/v1/analytics/users/journey': {
        get: {
          tags: ['analytics'],
          summary: "One user's journey: lifecycle events and activity in time order, filterable, with cursor paging",
          description:
            'Pass `nextCursor` back as `cursor` for the next page. Pages are positions in (occurredAt, event id) order, so events arriving meanwhile never shift or repeat rows. status, name and processId match activity records only.',
          parameters: queryParameters(userJourneyQuerySchema),
          responses: {
            '200': ok('A page of events', {
              items: [
                {
                  id: '01a218e6-9256-7073-ac13-fb7d217bc58a',
                  type: 'SessionStarted',
                  occurredAt: '2026-11-22T10:00:00.000Z',
                  sessionId,
                  data: { expiresAt: '2026-11-22T11:00:00.000Z', refreshExpiresAt: '2026-12-22T10:00:00.000Z' },
                },
                {
                  id: '01a218e7-4a0a-7000-8000-000000000002',
                  type: 'SessionActivityRecorded',
                  occurredAt: '2026-11-22T10:01:00.000Z',
                  sessionId,
                  name: 'POST /checkout',
                  status: 'error',
                  latencyMs: 83,
                  processId: 'worker-3',
                  data: { name: 'POST /checkout', status: 'error', latencyMs: 83, processId: 'worker-3' },
                },
              ],
              nextCursor: 'eyJ0IjoxNzk1MzE1NjYwMDAwLCJpZCI6IjAxYTIxOGU3LTRhMGEtNzAwMC04MDAwLTAwMDAwMDAwMDAwMiJ9',
            }),
            ...common,
          },
        },
      },
      '/v1/analytics/users/dashboard': {
        get: {
          tags: ['analytics'],
          summary: "One user's dashboard: activity, latency (p50/p95) and outcome timelines, peak hours, success rate",
          parameters: queryParameters(userDashboardQuerySchema),
          responses: {
            '200': ok('The dashboard', {
              totals: {
                events: 13,
                activities: 11,
                sessions: 2,
                success: 10,
                errors: 1,
                successRate: 0.9091,
                errorRate: 0.0909,
                latencyP50Ms: 50,
                latencyP95Ms: 400,
              },
              activity: [
                { at: '2026-11-20T00:00:00.000Z', count: 6 },
                { at: '2026-11-21T00:00:00.000Z', count: 0 },
              ],
              latency: [
                { at: '2026-11-20T00:00:00.000Z', p50Ms: 200, p95Ms: 400 },
                { at: '2026-11-21T00:00:00.000Z', p50Ms: null, p95Ms: null },
              ],
              outcomes: [
                { at: '2026-11-20T00:00:00.000Z', success: 5, error: 1, other: 0 },
                { at: '2026-11-21T00:00:00.000Z', success: 0, error: 0, other: 0 },
              ],
              peakHours: [{ hour: 9, count: 6 }],
            }),
            ...common,
          },
        },
      },
      '/v1/analytics/dashboard': {
        get: {
          tags: ['analytics'],
          summary: 'Tag dashboard: users, sessions, DAU/WAU/MAU with change, sessions over time, peak hours, envs, durations, outcomes, lifecycle operations',
          description:
            'Lifecycle operations count start, refresh, revoke and extend; verify writes no event, so it is not counted. DAU/WAU/MAU are distinct users in the 1, 7 and 30 days before `to`, against the period before.',
          parameters: queryParameters(tagDashboardQuerySchema),
          responses: {
            '200': ok('The dashboard', {
              users: { total: 4, active: 2, inactive: 1, expired: 1, newToday: 1, newThisWeek: 4 },
              sessions: { inRange: 5, active: 2, averagePerUser: 1.25 },
              dau: { current: 2, previous: 1, changePct: 100 },
              wau: { current: 4, previous: 0, changePct: null },
              mau: { current: 4, previous: 0, changePct: null },
              sessionsOverTime: [
                { at: '2026-11-20T00:00:00.000Z', sessions: 2, users: 2 },
                { at: '2026-11-21T00:00:00.000Z', sessions: 1, users: 1 },
              ],
              peakHours: [
                { hour: 9, count: 6 },
                { hour: 10, count: 5 },
              ],
              envs: [
                { env: 'prd', users: 1, sessions: 1, events: 5 },
                { env: 'snd', users: 3, sessions: 4, events: 22 },
              ],
              sessionDurationMs: { p50: 1800000, p90: 2520000, p99: 2520000, average: 1440000 },
              activity: { total: 19, success: 16, errors: 2, other: 1, successRate: 0.8421, errorRate: 0.1053 },
              lifecycle: [
                { at: '2026-11-20T00:00:00.000Z', start: 2, refresh: 0, revoke: 0, extend: 0 },
                { at: '2026-11-21T00:00:00.000Z', start: 1, refresh: 0, revoke: 1, extend: 0 },
              ],
            }),
            ...common,
            '400': problem(400, 'INVALID_REQUEST', 'more than 1000 hour buckets in this range; use a longer interval or a shorter range', 'interval'),
          },
        },
      },
      '/v1/analytics/paths': {
        get: {
          tags: ['analytics'],
          summary: 'Most common sequences of steps after `start` (or before `end`), as Sankey nodes and edges',
          description:
            "Each user's activity in time order, split into visits at a `visitGapMinutes` pause (30), consecutive repeats collapsed, `steps` steps per path (5), the `edges` most frequent edges (50). Node ids are `<depth>_<step>`; paths before `end` are right-aligned so `end` is at depth `steps`.",
          parameters: queryParameters(pathsQuerySchema),
          responses: {
            '200': ok('Nodes and edges', {
              anchor: { step: 'home', direction: 'after' },
              visits: 4,
              nodes: [
                { id: '1_home', step: 'home', depth: 1, visits: 4 },
                { id: '2_search', step: 'search', depth: 2, visits: 2 },
                { id: '2_product', step: 'product', depth: 2, visits: 1 },
              ],
              edges: [
                { source: '1_home', target: '2_search', visits: 2 },
                { source: '1_home', target: '2_product', visits: 1 },
              ],
            }),
            ...common,
          },
        },
      },
      '/v1/analytics/funnel': {
        get: {
          tags: ['analytics'],
          summary: 'Ordered funnel over activity names within a conversion window (windowFunnel)',
          description: '`steps` as a comma-separated list (2 to 10); `window` in seconds from the first step (default 86400).',
          parameters: queryParameters(funnelQuerySchema),
          responses: {
            '200': ok('Users per step', {
              windowSeconds: 3600,
              steps: [
                { step: 'home', users: 3, conversionFromStart: 1, conversionFromPrevious: 1, dropOff: 0 },
                { step: 'product', users: 1, conversionFromStart: 0.3333, conversionFromPrevious: 0.3333, dropOff: 2 },
                { step: 'pay', users: 1, conversionFromStart: 0.3333, conversionFromPrevious: 1, dropOff: 0 },
              ],
            }),
            ...common,
          },
        },
      },
      '/v1/analytics/retention': {
        get: {
          tags: ['analytics'],
          summary: 'Retention: cohorts by first-session day, share returning on day N (retention)',
          description:
            'Cohorts are the days (in tz) within from/to (default: the last 14 days) of users’ first session; day N counts users with any event that day. Days not over yet are null.',
          parameters: queryParameters(retentionQuerySchema),
          responses: {
            '200': ok('Cohorts', {
              days: 3,
              tz: 'UTC',
              cohorts: [
                { cohort: '2026-11-20', users: 2, returned: [2, 0, 1, null], rates: [1, 0, 0.5, null] },
                { cohort: '2026-11-21', users: 1, returned: [1, 0, null, null], rates: [1, 0, null, null] },
              ],
            }),
            ...common,
          },
        },
      },
      '/v1/analytics/steps': {
        get: {
          tags: ['analytics'],
          summary: 'Activity names seen in the range, most frequent first (at most 200): what step pickers offer',
          description: '`records` orders them; it is counted without deduplication, so it is not a figure to report. Range default: the last 7 days.',
          parameters: queryParameters(stepNamesQuerySchema),
          responses: {
            '200': ok('Step names', {
              steps: [
                { step: 'home', records: 1200 },
                { step: 'search', records: 640 },
                { step: 'pay', records: 95 },
              ],
            }),
            ...common,
          },
        },
      },
      '/v1/analytics/users/by-step': {
        get: {
          tags: ['analytics'],
          summary: 'The users behind a step of the paths view: those with an activity record of `step` in the range, latest first',
          description: '`total` counts them all; `users` holds the first `limit` (50, at most 100). Range default: the last 7 days.',
          parameters: queryParameters(stepUsersQuerySchema),
          responses: {
            '200': ok('Users', {
              total: 2,
              users: [
                { identifier: '1919102009383', env: 'snd', lastAt: '2026-11-22T10:05:00.000Z' },
                { identifier: 'dave', env: 'prd', lastAt: '2026-11-22T20:02:00.000Z' },
              ],
            }),
            ...common,
          },
        },
      },
      '/v1/analytics/funnel/users': {
        get: {
          tags: ['analytics'],
          summary: "The users behind a funnel's drop-off: those whose furthest step, in order within the window, is step `reached` (1-based)",
          description:
            "The users who dropped off before step k+1 are those with `reached=k`; their `total` is that step's `dropOff` in `/v1/analytics/funnel` with the same parameters. `users` holds the first `limit` (50, at most 100), latest first.",
          parameters: queryParameters(funnelUsersQuerySchema),
          responses: { '200': ok('Users', { total: 1, users: [{ identifier: 'bob', env: 'snd', lastAt: '2026-11-20T14:03:00.000Z' }] }), ...common },
        },
      },
      '/v1/analytics/scope': {
        get: {
          tags: ['analytics'],
          summary: 'What this key may read: products, their envs within the key, and session tags (names only)',
          description:
            "For pickers such as the console's: listing session specs themselves needs the admin role. `openDevelopment` is true when the API accepts calls without a key.",
          responses: {
            '200': ok('Products, envs and tags', {
              openDevelopment: false,
              products: [{ product: 'my-product-tag', name: 'My product', envs: ['snd', 'prd'], tags: [{ tag: 'session-tag', name: 'Default session' }] }],
            }),
            ...common,
          },
        },
      },
      '/v1/analytics/live': {
        get: {
          tags: ['analytics'],
          summary: 'The newest events of a tag, or of one user (identifier with env), as the read model gets them',
          description:
            "With `Accept: text/event-stream`: server-sent events, `ready` first, then `events` (a JSON array, oldest first: the last hour's newest 50, then each new batch as it is projected; polled every second). Otherwise the newest events once, as JSON. The key's product and envs scope it like every analytics read; an event reported late with an earlier time than those already sent is not sent.",
          parameters: queryParameters(liveQuerySchema),
          responses: {
            '200': {
              description: 'A stream of events (text/event-stream), or the newest events (application/json)',
              content: {
                'text/event-stream': {
                  schema: { type: 'string' },
                  example:
                    'event: ready\ndata: {"pollMs":1000}\n\nevent: events\ndata: [{"id":"01a218e7-4a0a-7000-8000-000000000002","type":"SessionActivityRecorded","occurredAt":"2026-11-22T10:01:00.000Z","env":"snd","identifier":"1919102009383","sessionId":"01a218e6-9252-7028-90b9-e2b6246988be","name":"POST /checkout","status":"success"}]\n\n',
                },
                'application/json': {
                  example: {
                    events: [
                      {
                        id: '01a218e7-4a0a-7000-8000-000000000002',
                        type: 'SessionActivityRecorded',
                        occurredAt: '2026-11-22T10:01:00.000Z',
                        env: 'snd',
                        identifier: '1919102009383',
                        sessionId,
                        name: 'POST /checkout',
                        status: 'success',
                      },
                    ],
                  },
                },
              },
            },
            ...common,
          },
        },
      },
      '/v1/admin/replays': {
        post: {
          tags: ['operations'],
          summary: 'Start a replay (or plan one with dryRun)',
          description:
            'Rebuilds the read model from the event log into shadow tables and swaps them in atomically. `from`: `beginning`, an ISO-8601 time, or `position:<p>` (embedded: a log position; distributed: `<partition>:<offset>,…`). Without `product`, the key must be allowed every product. One replay may be unfinished at a time (409 REPLAY_CONFLICT).',
          requestBody: body(startReplayBodySchema, { from: 'beginning', product: 'my-product-tag', dryRun: false }),
          responses: {
            '202': ok('Started; follow it with GET /v1/admin/replays/{id}', {
              id: replayId,
              plan: {
                request: { start: { kind: 'beginning' }, product: 'my-product-tag' },
                fromPosition: '1',
                headPosition: '1000000',
                events: 1000000,
                partial: true,
              },
              description:
                'replay 1000000 events of product my-product-tag from the beginning of the log (positions 1..1000000, more if they arrive) into a shadow table, then swap it in; rows outside that scope are copied over unchanged',
              progress: { ...replayProgress, processed: 0, eventsPerSecond: 0, etaSeconds: undefined, reached: undefined },
            }),
            '409': problem(409, 'REPLAY_CONFLICT', 'replay 01a21b40-5f2e-7c11-9d3a-8e2f5b6c7d10 is interrupted; resume or finish it first', 'id'),
            ...commonWithBody,
          },
        },
      },
      '/v1/admin/replays/{id}': {
        get: {
          tags: ['operations'],
          summary: "A replay's progress",
          parameters: [replayIdParameter],
          responses: { '200': ok('Progress, with rate and ETA', replayProgress), '404': problem(404, 'NOT_FOUND', `no replay ${replayId}`), ...common },
        },
      },
      '/v1/admin/replays/{id}/cancel': {
        post: {
          tags: ['operations'],
          summary: 'Interrupt a replay after its batch in hand (resumable)',
          parameters: [replayIdParameter],
          responses: { '200': ok('Asked', { id: replayId, cancelling: true }), '404': problem(404, 'NOT_FOUND', `no replay ${replayId}`), ...common },
        },
      },
      '/v1/admin/replays/{id}/resume': {
        post: {
          tags: ['operations'],
          summary: 'Resume an interrupted replay from the last batch it wrote',
          parameters: [replayIdParameter],
          responses: {
            '202': ok('Resumed', replayProgress),
            '404': problem(404, 'NOT_FOUND', `no replay ${replayId}`),
            '409': problem(409, 'REPLAY_CONFLICT', `replay ${replayId} is completed; it cannot be resumed`, 'id'),
            ...common,
          },
        },
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
