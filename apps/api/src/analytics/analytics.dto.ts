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
import { MAX_OCCURRED_AT_MS, isStorableInstant } from '@waymark/domain';
import { z } from 'zod';
import { STORABLE_RANGE_MESSAGE, identifierField, slugField, textField } from '../shared/request-fields';
import { DATE_ONLY } from './time-range';
import { isTimeZone } from './time-zones';

const identifier = identifierField;
const name = textField(256);

const TIME_BOUND_FORMAT = 'must be an ISO-8601 time with offset (2026-11-26T10:00:00Z) or a date (2026-11-26)';

/**
 * An ISO-8601 instant with its offset, or a calendar date read in `tz`, inside what the
 * read model stores (ClickHouse fails a query on a DateTime outside it). A date is checked
 * here at UTC midnight and again, read in `tz`, when the range is resolved.
 */
const timeBound = z.string().superRefine((value, ctx) => {
  const instant = DATE_ONLY.test(value)
    ? Date.parse(`${value}T00:00:00Z`)
    : z.iso.datetime({ offset: true }).safeParse(value).success
      ? Date.parse(value)
      : Number.NaN;
  if (Number.isNaN(instant)) ctx.addIssue({ code: 'custom', message: TIME_BOUND_FORMAT });
  else if (!isStorableInstant(instant)) ctx.addIssue({ code: 'custom', message: STORABLE_RANGE_MESSAGE });
});

const tz = z
  .string()
  .max(64)
  .default('UTC')
  .refine(isTimeZone, 'must be an IANA time zone name (such as Europe/Berlin, Asia/Kolkata or UTC) known to both this server and its ClickHouse');

/** Every analytics query: one product and tag; `env` optional where a tag-wide view makes sense. */
const tagScope = { product: slugField, env: slugField.optional(), tag: slugField, tz, from: timeBound.optional(), to: timeBound.optional() };
const userScope = { product: slugField, env: slugField, tag: slugField, identifier, tz, from: timeBound.optional(), to: timeBound.optional() };

const interval = z.enum(BUCKET_INTERVALS).optional();

export const listUsersQuerySchema = z
  .object({
    ...tagScope,
    search: z.string().min(1).max(256).optional(),
    status: z.enum(USER_STATUSES).optional(),
    sort: z.enum(USER_SORTS).default('lastSeen'),
    order: z.enum(['asc', 'desc']).default('desc'),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type ListUsersParams = z.infer<typeof listUsersQuerySchema>;

export const userProfileQuerySchema = z.object({ ...userScope, sessions: z.coerce.number().int().min(1).max(500).default(50) }).strict();
export type UserProfileParams = z.infer<typeof userProfileQuerySchema>;

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
  });

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
  .strict();
export type UserJourneyParams = z.infer<typeof userJourneyQuerySchema>;

export const userDashboardQuerySchema = z.object({ ...userScope, interval }).strict();
export type UserDashboardParams = z.infer<typeof userDashboardQuerySchema>;

export const tagDashboardQuerySchema = z.object({ ...tagScope, interval }).strict();
export type TagDashboardParams = z.infer<typeof tagDashboardQuerySchema>;

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
  .refine((query) => query.start === undefined || query.end === undefined, { path: ['end'], message: 'give start or end, not both' });
export type PathsParams = z.infer<typeof pathsQuerySchema>;

/** Steps as a comma-separated list (`home,cart,pay`) or repeated `steps=` parameters. */
const funnelSteps = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : value.split(',')).map((step) => step.trim()))
  .pipe(z.array(name).min(2, 'needs at least 2 steps').max(MAX_FUNNEL_STEPS, `at most ${MAX_FUNNEL_STEPS} steps`));

export const funnelQuerySchema = z
  .object({
    ...tagScope,
    steps: funnelSteps,
    window: z.coerce
      .number()
      .int()
      .min(1)
      .max(90 * 86_400)
      .default(86_400),
  })
  .strict();
export type FunnelParams = z.infer<typeof funnelQuerySchema>;

export const retentionQuerySchema = z.object({ ...tagScope, days: z.coerce.number().int().min(1).max(MAX_RETENTION_DAYS).default(7) }).strict();
export type RetentionParams = z.infer<typeof retentionQuerySchema>;
