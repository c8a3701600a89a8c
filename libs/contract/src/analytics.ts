import { MAX_OCCURRED_AT_MS } from '@waymark/domain';
import {
  BUCKET_INTERVALS,
  JOURNEY_KINDS,
  JourneyCursor,
  MAX_FUNNEL_STEPS,
  MAX_PATH_EDGES,
  MAX_PATH_STEPS,
  MAX_RETENTION_DAYS,
  USER_SORTS,
  USER_STATUSES,
} from '@waymark/read-model';
import { z } from 'zod';
import { identifierField, instant, pageField, pageSizeField, slugField, textField, timeBoundField, timeZoneField } from './fields';
import { EXAMPLE_DATA, EXAMPLE_SESSION_ID } from './sessions';

const identifier = identifierField;
const name = textField(256);
const EXAMPLE_TAG = { product: 'my-product-tag', tag: 'session-tag' };
const EXAMPLE_USER = { ...EXAMPLE_TAG, env: 'snd', identifier: '1919102009383' };

/** Every analytics query: one product and tag; `env` optional where a tag-wide view makes sense. */
const tagScope = {
  product: slugField,
  env: slugField.optional(),
  tag: slugField,
  tz: timeZoneField,
  from: timeBoundField.optional(),
  to: timeBoundField.optional(),
};
const userScope = {
  product: slugField,
  env: slugField,
  tag: slugField,
  identifier,
  tz: timeZoneField,
  from: timeBoundField.optional(),
  to: timeBoundField.optional(),
};

const interval = z.enum(BUCKET_INTERVALS).optional();
const userStatus = z.enum(USER_STATUSES);

/** The scope listing takes no parameters: unknown ones are refused like everywhere else. */
export const scopeQuerySchema = z.object({}).strict();

export const analyticsScopeSchema = z
  .object({
    openDevelopment: z.boolean().describe('True when the API accepts calls without a key'),
    products: z.array(
      z.object({ product: z.string(), name: z.string(), envs: z.array(z.string()), tags: z.array(z.object({ tag: z.string(), name: z.string() })) }),
    ),
  })
  .meta({
    examples: [
      {
        openDevelopment: false,
        products: [{ product: 'my-product-tag', name: 'My product', envs: ['snd', 'prd'], tags: [{ tag: 'session-tag', name: 'Default session' }] }],
      },
    ],
  });
export type AnalyticsScopeList = z.infer<typeof analyticsScopeSchema>;

export const listUsersQuerySchema = z
  .object({
    ...tagScope,
    search: z.string().min(1).max(256).optional(),
    status: userStatus.optional(),
    sort: z.enum(USER_SORTS).default('lastSeen'),
    order: z.enum(['asc', 'desc']).default('desc'),
    page: pageField,
    pageSize: pageSizeField,
  })
  .strict()
  .meta({ examples: [{ ...EXAMPLE_TAG, env: 'snd', status: 'active' }] });
export type ListUsersParams = z.infer<typeof listUsersQuerySchema>;

export const userListSchema = z
  .object({
    total: z.int().min(0),
    page: z.int().min(1),
    pageSize: z.int().min(1),
    users: z.array(z.object({ identifier: z.string(), env: z.string(), firstSeen: instant, lastSeen: instant, sessions: z.int().min(0), status: userStatus })),
  })
  .meta({
    examples: [
      {
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
      },
    ],
  });
export type UserList = z.infer<typeof userListSchema>;

export const userProfileQuerySchema = z
  .object({ ...userScope, sessions: z.coerce.number().int().min(1).max(500).default(50) })
  .strict()
  .meta({ examples: [EXAMPLE_USER] });
export type UserProfileParams = z.infer<typeof userProfileQuerySchema>;

export const userProfileSchema = z
  .object({
    identifier: z.string(),
    env: z.string(),
    firstSeen: instant,
    lastSeen: instant,
    status: userStatus,
    sessionCount: z.int().min(0),
    sessions: z.array(
      z.object({
        sessionId: z.string(),
        startedAt: instant,
        endsAt: instant.nullable(),
        revokedAt: instant.nullable(),
        lastEventAt: instant,
        active: z.boolean(),
        durationMs: z.number().min(0),
        eventCount: z.int().min(0),
      }),
    ),
    data: z.record(z.string(), z.unknown()).nullable().describe("The latest session's data: null unless the key has the admin role"),
    dataRedacted: z.boolean(),
  })
  .meta({
    examples: [
      {
        identifier: '1919102009383',
        env: 'snd',
        firstSeen: '2026-11-20T09:00:00.000Z',
        lastSeen: '2026-11-22T10:05:00.000Z',
        status: 'active',
        sessionCount: 2,
        sessions: [
          {
            sessionId: EXAMPLE_SESSION_ID,
            startedAt: '2026-11-22T10:00:00.000Z',
            endsAt: '2026-12-22T10:00:00.000Z',
            revokedAt: null,
            lastEventAt: '2026-11-22T10:05:00.000Z',
            active: true,
            durationMs: 300000,
            eventCount: 6,
          },
        ],
        data: EXAMPLE_DATA,
        dataRedacted: false,
      },
    ],
  });
export type UserProfile = z.infer<typeof userProfileSchema>;

/** `(occurred_at, event_id)` of the last row of the previous page, as base64url JSON. */
export function encodeCursor(cursor: JourneyCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.occurredAt, id: cursor.eventId })).toString('base64url');
}

const cursorField = z
  .string()
  .max(200)
  .transform((value, ctx): JourneyCursor => {
    try {
      const parsed = JSON.parse(Buffer.from(value, 'base64url').toString()) as { t?: unknown; id?: unknown };
      if (
        typeof parsed.t === 'number' &&
        Number.isInteger(parsed.t) &&
        parsed.t >= 0 &&
        parsed.t <= MAX_OCCURRED_AT_MS &&
        typeof parsed.id === 'string' &&
        z.uuid().safeParse(parsed.id).success
      ) {
        return { occurredAt: parsed.t, eventId: parsed.id };
      }
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'is not a cursor this endpoint returned' });
    return z.NEVER;
  })
  .describe('The `nextCursor` of the previous page');

export const userJourneyQuerySchema = z
  .object({
    ...userScope,
    kind: z.enum(JOURNEY_KINDS).optional(),
    status: name.optional(),
    name: name.optional(),
    processId: name.optional(),
    cursor: cursorField.optional(),
    limit: z.coerce.number().int().min(1).optional(),
  })
  .strict()
  .meta({ examples: [{ ...EXAMPLE_USER, kind: 'activity' }] });
export type UserJourneyParams = z.infer<typeof userJourneyQuerySchema>;

export const userJourneyPageSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.uuid(),
        type: z.string(),
        occurredAt: instant,
        sessionId: z.string(),
        name: z.string().optional(),
        status: z.string().optional(),
        latencyMs: z.number().nullable().optional(),
        processId: z.string().optional(),
        data: z.record(z.string(), z.unknown()),
      }),
    ),
    nextCursor: z.string().nullable().describe('Pass back as `cursor` for the next page; null on the last page'),
  })
  .meta({
    examples: [
      {
        items: [
          {
            id: '01a218e6-9256-7073-ac13-fb7d217bc58a',
            type: 'SessionStarted',
            occurredAt: '2026-11-22T10:00:00.000Z',
            sessionId: EXAMPLE_SESSION_ID,
            data: { expiresAt: '2026-11-22T11:00:00.000Z', refreshExpiresAt: '2026-12-22T10:00:00.000Z' },
          },
          {
            id: '01a218e7-4a0a-7000-8000-000000000002',
            type: 'SessionActivityRecorded',
            occurredAt: '2026-11-22T10:01:00.000Z',
            sessionId: EXAMPLE_SESSION_ID,
            name: 'POST /checkout',
            status: 'error',
            latencyMs: 83,
            processId: 'worker-3',
            data: { name: 'POST /checkout', status: 'error', latencyMs: 83, processId: 'worker-3' },
          },
        ],
        nextCursor: 'eyJ0IjoxNzk1MzE1NjYwMDAwLCJpZCI6IjAxYTIxOGU3LTRhMGEtNzAwMC04MDAwLTAwMDAwMDAwMDAwMiJ9',
      },
    ],
  });
export type UserJourneyPage = z.infer<typeof userJourneyPageSchema>;

export const userDashboardQuerySchema = z
  .object({ ...userScope, interval })
  .strict()
  .meta({ examples: [{ ...EXAMPLE_USER, interval: 'day' }] });
export type UserDashboardParams = z.infer<typeof userDashboardQuerySchema>;

const hourOfDay = z.array(z.object({ hour: z.int().min(0).max(23), count: z.int().min(0) })).describe('Activity per hour of the day (0–23) in the time zone');
const rate = z.number().min(0).max(1);

export const userDashboardSchema = z
  .object({
    totals: z.object({
      events: z.int().min(0),
      activities: z.int().min(0),
      sessions: z.int().min(0),
      success: z.int().min(0),
      errors: z.int().min(0),
      successRate: rate,
      errorRate: rate,
      latencyP50Ms: z.number().nullable(),
      latencyP95Ms: z.number().nullable(),
    }),
    activity: z.array(z.object({ at: instant, count: z.int().min(0) })),
    latency: z.array(z.object({ at: instant, p50Ms: z.number().nullable(), p95Ms: z.number().nullable() })),
    outcomes: z.array(z.object({ at: instant, success: z.int().min(0), error: z.int().min(0), other: z.int().min(0) })),
    peakHours: hourOfDay,
  })
  .meta({
    examples: [
      {
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
      },
    ],
  });
export type UserDashboard = z.infer<typeof userDashboardSchema>;

export const tagDashboardQuerySchema = z
  .object({ ...tagScope, interval })
  .strict()
  .meta({ examples: [{ ...EXAMPLE_TAG, from: '2026-11-20', to: '2026-11-26' }] });
export type TagDashboardParams = z.infer<typeof tagDashboardQuerySchema>;

const activeUsers = z.object({
  current: z.int().min(0),
  previous: z.int().min(0),
  changePct: z.number().nullable().describe('Percent change against the previous period; null when the previous period had no users'),
});

export const tagDashboardSchema = z
  .object({
    users: z.object({
      total: z.int().min(0),
      active: z.int().min(0),
      inactive: z.int().min(0),
      expired: z.int().min(0),
      newToday: z.int().min(0),
      newThisWeek: z.int().min(0),
    }),
    sessions: z.object({ inRange: z.int().min(0), active: z.int().min(0), averagePerUser: z.number().min(0) }),
    dau: activeUsers,
    wau: activeUsers,
    mau: activeUsers,
    sessionsOverTime: z.array(z.object({ at: instant, sessions: z.int().min(0), users: z.int().min(0) })),
    peakHours: hourOfDay,
    envs: z.array(z.object({ env: z.string(), users: z.int().min(0), sessions: z.int().min(0), events: z.int().min(0) })),
    sessionDurationMs: z.object({ p50: z.number(), p90: z.number(), p99: z.number(), average: z.number() }),
    activity: z.object({ total: z.int().min(0), success: z.int().min(0), errors: z.int().min(0), other: z.int().min(0), successRate: rate, errorRate: rate }),
    lifecycle: z.array(z.object({ at: instant, start: z.int().min(0), refresh: z.int().min(0), revoke: z.int().min(0), extend: z.int().min(0) })),
  })
  .meta({
    examples: [
      {
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
      },
    ],
  });
export type TagDashboard = z.infer<typeof tagDashboardSchema>;

export const pathsQuerySchema = z
  .object({
    ...tagScope,
    start: name.optional(),
    end: name.optional(),
    steps: z.coerce.number().int().min(2).max(MAX_PATH_STEPS).default(5),
    edges: z.coerce.number().int().min(1).max(MAX_PATH_EDGES).default(50),
    visitGapMinutes: z.coerce.number().int().min(1).max(1440).default(30),
  })
  .strict()
  .refine((query) => query.start === undefined || query.end === undefined, { path: ['end'], error: 'give start or end, not both' })
  .meta({ not: { required: ['start', 'end'] }, examples: [{ ...EXAMPLE_TAG, start: 'home' }] });
export type PathsParams = z.infer<typeof pathsQuerySchema>;

export const pathsSchema = z
  .object({
    anchor: z.object({ step: z.string(), direction: z.enum(['after', 'before']) }).nullable(),
    visits: z.int().min(0),
    nodes: z.array(
      z.object({
        id: z.string().describe('`<depth>_<step>`'),
        step: z.string(),
        depth: z.int().min(1),
        visits: z.int().min(0).describe('Visits passing through this step at this depth'),
        users: z.int().min(0).describe('Distinct users among them: `total` of `/v1/analytics/users/by-step` with this `step` and `depth`'),
      }),
    ),
    edges: z.array(z.object({ source: z.string(), target: z.string(), visits: z.int().min(0) })),
  })
  .meta({
    examples: [
      {
        anchor: { step: 'home', direction: 'after' },
        visits: 4,
        nodes: [
          { id: '1_home', step: 'home', depth: 1, visits: 4, users: 3 },
          { id: '2_search', step: 'search', depth: 2, visits: 2, users: 2 },
          { id: '2_product', step: 'product', depth: 2, visits: 1, users: 1 },
        ],
        edges: [
          { source: '1_home', target: '2_search', visits: 2 },
          { source: '1_home', target: '2_product', visits: 1 },
        ],
      },
    ],
  });
export type Paths = z.infer<typeof pathsSchema>;

/** Steps as a comma-separated list (`home,cart,pay`) or repeated `steps=` parameters. */
const funnelSteps = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : value.split(',')).map((step) => step.trim()))
  .pipe(z.array(name).min(2, 'needs at least 2 steps').max(MAX_FUNNEL_STEPS, `at most ${MAX_FUNNEL_STEPS} steps`))
  .meta({
    // As the query string carries it: one comma-separated value (2 to 10 names), or the parameter repeated.
    anyOf: [
      { type: 'string', pattern: `^[^,]+(,[^,]+){1,${MAX_FUNNEL_STEPS - 1}}$` },
      { type: 'array', items: { type: 'string', minLength: 1, maxLength: 256 }, minItems: 2, maxItems: MAX_FUNNEL_STEPS },
    ],
    description: `2 to ${MAX_FUNNEL_STEPS} activity names, comma-separated (home,product,pay) or as repeated parameters`,
  });

export const funnelQuerySchema = z
  .object({
    ...tagScope,
    steps: funnelSteps,
    window: z.coerce
      .number()
      .int()
      .min(1)
      .max(90 * 86_400)
      .default(86_400)
      .describe('Seconds from the first step'),
  })
  .strict()
  .meta({ examples: [{ ...EXAMPLE_TAG, steps: 'home,product,pay', window: 3600 }] });
export type FunnelParams = z.infer<typeof funnelQuerySchema>;

export const funnelSchema = z
  .object({
    windowSeconds: z.int().min(1),
    steps: z.array(
      z.object({
        step: z.string(),
        users: z.int().min(0),
        conversionFromStart: rate,
        conversionFromPrevious: rate,
        dropOff: z.int().min(0).describe('Users who reached the previous step but not this one'),
      }),
    ),
  })
  .meta({
    examples: [
      {
        windowSeconds: 3600,
        steps: [
          { step: 'home', users: 3, conversionFromStart: 1, conversionFromPrevious: 1, dropOff: 0 },
          { step: 'product', users: 1, conversionFromStart: 0.3333, conversionFromPrevious: 0.3333, dropOff: 2 },
          { step: 'pay', users: 1, conversionFromStart: 0.3333, conversionFromPrevious: 1, dropOff: 0 },
        ],
      },
    ],
  });
export type Funnel = z.infer<typeof funnelSchema>;

export const retentionQuerySchema = z
  .object({ ...tagScope, days: z.coerce.number().int().min(1).max(MAX_RETENTION_DAYS).default(7) })
  .strict()
  .meta({ examples: [{ ...EXAMPLE_TAG, days: 3 }] });
export type RetentionParams = z.infer<typeof retentionQuerySchema>;

export const retentionSchema = z
  .object({
    days: z.int().min(1),
    tz: z.string(),
    cohorts: z.array(
      z.object({
        cohort: z.string().describe('The cohort’s day, YYYY-MM-DD in the time zone'),
        users: z.int().min(0),
        returned: z.array(z.int().min(0).nullable()),
        rates: z.array(rate.nullable()),
      }),
    ),
  })
  .meta({
    examples: [
      {
        days: 3,
        tz: 'UTC',
        cohorts: [
          { cohort: '2026-11-20', users: 2, returned: [2, 0, 1, null], rates: [1, 0, 0.5, null] },
          { cohort: '2026-11-21', users: 1, returned: [1, 0, null, null], rates: [1, 0, null, null] },
        ],
      },
    ],
  });
export type Retention = z.infer<typeof retentionSchema>;

/** At most this many users per answer: a drill-down shows a list to click through, not an export. */
export const MAX_DRILL_USERS = 100;
const drillLimit = z.coerce.number().int().min(1).max(MAX_DRILL_USERS).default(50);

/**
 * The users behind a Sankey node. With `depth` (and the paths query's own `start` or
 * `end`, `steps`, `visitGapMinutes`): the users whose path has `step` at that depth, as
 * many as the node's `users` in `/v1/analytics/paths` with the same parameters. Without
 * `depth`: every user with an activity record of `step` in the range, wherever it sat.
 * `edges` is not asked: it decides which nodes are drawn, not which node a path passes.
 */
export const stepUsersQuerySchema = tagDashboardQuerySchema
  .omit({ interval: true })
  .extend({
    step: textField(256),
    depth: z.coerce.number().int().min(1).max(MAX_PATH_STEPS).optional().describe("The node's depth in the paths answer; without it, the step at any depth"),
    start: name.optional().describe('Paths after this step (with `depth`)'),
    end: name.optional().describe('Paths leading up to this step (with `depth`)'),
    steps: z.coerce.number().int().min(2).max(MAX_PATH_STEPS).default(5).describe('Steps per path, as asked of the paths (with `depth`)'),
    visitGapMinutes: z.coerce.number().int().min(1).max(1440).default(30).describe('A pause that starts a new visit, as asked of the paths (with `depth`)'),
    limit: drillLimit,
  })
  .strict()
  .refine((query) => query.start === undefined || query.end === undefined, { path: ['end'], error: 'give start or end, not both' })
  .refine((query) => query.depth !== undefined || (query.start === undefined && query.end === undefined), {
    path: ['depth'],
    error: 'is required with start or end (the node is a step at a depth)',
  })
  .refine((query) => query.depth === undefined || query.depth <= query.steps, { path: ['depth'], error: 'is at most steps' })
  .meta({
    not: { required: ['start', 'end'] },
    dependentRequired: { start: ['depth'], end: ['depth'] },
    examples: [
      { ...EXAMPLE_TAG, step: 'search' },
      { ...EXAMPLE_TAG, step: 'search', start: 'home', depth: 2 },
    ],
  });
export type StepUsersParams = z.infer<typeof stepUsersQuerySchema>;

/** Users whose furthest step of the funnel, in order within the window, is `reached` (a drop-off → its users). */
export const funnelUsersQuerySchema = funnelQuerySchema
  .extend({ reached: z.coerce.number().int().min(1).max(MAX_FUNNEL_STEPS), limit: drillLimit })
  .strict()
  .meta({ examples: [{ ...EXAMPLE_TAG, steps: 'home,product,pay', reached: 1 }] });
export type FunnelUsersParams = z.infer<typeof funnelUsersQuerySchema>;

/** The activity names seen in a range, for step pickers (funnel builder, paths anchor). */
export const stepNamesQuerySchema = tagDashboardQuerySchema
  .omit({ interval: true })
  .strict()
  .meta({ examples: [EXAMPLE_TAG] });
export type StepNamesParams = z.infer<typeof stepNamesQuerySchema>;

export const stepNamesSchema = z.object({ steps: z.array(z.object({ step: z.string(), records: z.int().min(0) })) }).meta({
  examples: [
    {
      steps: [
        { step: 'home', records: 1200 },
        { step: 'search', records: 640 },
        { step: 'pay', records: 95 },
      ],
    },
  ],
});
export type StepNames = z.infer<typeof stepNamesSchema>;

export const drillUsersSchema = z
  .object({
    total: z.int().min(0).describe('All the users; `users` holds the first `limit`'),
    users: z.array(z.object({ identifier: z.string(), env: z.string(), lastAt: instant })),
  })
  .meta({
    examples: [
      {
        total: 2,
        users: [
          { identifier: '1919102009383', env: 'snd', lastAt: '2026-11-22T10:05:00.000Z' },
          { identifier: 'dave', env: 'prd', lastAt: '2026-11-22T20:02:00.000Z' },
        ],
      },
    ],
  });
export type DrillUsers = z.infer<typeof drillUsersSchema>;

/** A tag's newest events, or one user's (identifier with its env). */
export const liveQuerySchema = z
  .object({ product: slugField, env: slugField.optional(), tag: slugField, identifier: identifierField.optional() })
  .strict()
  .refine((query) => query.identifier === undefined || query.env !== undefined, {
    path: ['env'],
    error: 'is required with identifier (a user is product, env, tag and identifier)',
  })
  .meta({ dependentRequired: { identifier: ['env'] }, examples: [{ ...EXAMPLE_TAG, env: 'snd' }] });
export type LiveParams = z.infer<typeof liveQuerySchema>;

export const liveEventSchema = z.object({
  id: z.uuid(),
  type: z.string(),
  occurredAt: instant,
  env: z.string(),
  identifier: z.string(),
  sessionId: z.string(),
  name: z.string().optional(),
  status: z.string().optional(),
});
export type LiveEvent = z.infer<typeof liveEventSchema>;

const EXAMPLE_LIVE_EVENT = {
  id: '01a218e7-4a0a-7000-8000-000000000002',
  type: 'SessionActivityRecorded',
  occurredAt: '2026-11-22T10:01:00.000Z',
  env: 'snd',
  identifier: '1919102009383',
  sessionId: EXAMPLE_SESSION_ID,
  name: 'POST /checkout',
  status: 'success',
};

export const liveEventsSchema = z.object({ events: z.array(liveEventSchema) }).meta({ examples: [{ events: [EXAMPLE_LIVE_EVENT] }] });

/** The stream itself: `ready`, then `events` batches; JSON Schema can only say it is text. */
export const liveStreamSchema = z
  .string()
  .meta({ examples: [`event: ready\ndata: {"pollMs":1000}\n\nevent: events\ndata: ${JSON.stringify([EXAMPLE_LIVE_EVENT])}\n\n`] });
