import { durationSchema } from '@waymark/config';
import { MAX_JSON_DEPTH } from '@waymark/domain';
import { z } from 'zod';
import {
  depthAtMost,
  identifierField,
  instant,
  keyField,
  pageField,
  pageSizeField,
  sessionDataField,
  slugField,
  storableInstantField,
  textField,
} from './fields';

/** Where a session lives: every session method names it. */
export const sessionScope = { product: slugField, env: slugField, tag: slugField };
const sessionId = z.uuid();
const token = z
  .string()
  .min(1)
  .max(64 * 1024);

export const EXAMPLE_SCOPE = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };
export const EXAMPLE_SESSION_ID = '01a218e6-9252-7028-90b9-e2b6246988be';
const EXAMPLE_TOKEN = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoi...';
const EXAMPLE_REFRESH_TOKEN = `wmr1.${EXAMPLE_SESSION_ID}.j_Slp9COEyr8q5iUp_yoVn2MC6jufl8T1CUweAXwu4I`;
export const EXAMPLE_DATA = { userId: '1919102009383', details: { username: 'feekayo', email: 'fikayo@ductape.app' } };

/** `POST /v1/sessions`, the seed's `sessions.start` parameters. */
export const startSessionBodySchema = z
  .object({ ...sessionScope, data: sessionDataField })
  .strict()
  .meta({ examples: [{ ...EXAMPLE_SCOPE, data: EXAMPLE_DATA }] });
export type StartSessionBody = z.infer<typeof startSessionBodySchema>;

/** Start's and refresh's answer: a token and a refresh token for the session. */
export const sessionTokensSchema = z
  .object({
    token: z.string().describe('Compact JWE: the session, its data and its expiry, sealed with the current token key'),
    refreshToken: z.string().describe('Works once; a spent one presented after the grace window revokes the session'),
    sessionId: z.uuid(),
    expiresAt: instant,
    refreshExpiresAt: instant,
  })
  .meta({
    examples: [
      {
        token: EXAMPLE_TOKEN,
        refreshToken: EXAMPLE_REFRESH_TOKEN,
        sessionId: EXAMPLE_SESSION_ID,
        expiresAt: '2026-11-26T18:28:13.000Z',
        refreshExpiresAt: '2026-12-26T17:28:13.000Z',
      },
    ],
  });
export type SessionTokens = z.infer<typeof sessionTokensSchema>;

export const verifySessionBodySchema = z
  .object({ ...sessionScope, token })
  .strict()
  .meta({ examples: [{ ...EXAMPLE_SCOPE, token: EXAMPLE_TOKEN }] });
export type VerifySessionBody = z.infer<typeof verifySessionBodySchema>;

export const verifySessionResponseSchema = z
  .discriminatedUnion('valid', [
    z.object({ valid: z.literal(true), sessionId: z.uuid(), identifier: z.string(), data: z.record(z.string(), z.unknown()), expiresAt: instant }),
    z.object({ valid: z.literal(false), reason: z.enum(['invalid', 'expired', 'revoked']) }),
  ])
  .meta({
    examples: [{ valid: true, sessionId: EXAMPLE_SESSION_ID, identifier: '1919102009383', data: EXAMPLE_DATA, expiresAt: '2026-11-26T18:28:13.000Z' }],
  });
export type VerifySessionResponse = z.infer<typeof verifySessionResponseSchema>;

export const refreshSessionBodySchema = z
  .object({ ...sessionScope, refreshToken: token })
  .strict()
  .meta({ examples: [{ ...EXAMPLE_SCOPE, refreshToken: EXAMPLE_REFRESH_TOKEN }] });
export type RefreshSessionBody = z.infer<typeof refreshSessionBodySchema>;

/** A subschema matching objects that have `name` (its `properties` entry names it for linters). */
const requires = (name: string) => ({ required: [name], properties: { [name]: {} } });

/** Revoke one session by id, or all of one user's sessions in the tag (optionally but one). */
export const revokeSessionsBodySchema = z
  .object({
    ...sessionScope,
    sessionId: sessionId.optional(),
    identifier: identifierField.optional(),
    exceptSessionId: sessionId.optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.sessionId === undefined) === (body.identifier === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['sessionId'], message: 'give exactly one of sessionId or identifier' });
    }
    if (body.exceptSessionId !== undefined && body.identifier === undefined) {
      ctx.addIssue({ code: 'custom', path: ['exceptSessionId'], message: 'exceptSessionId goes with identifier' });
    }
  })
  .meta({
    // What the refinement above says, as JSON Schema.
    oneOf: [
      { required: ['sessionId'], not: { anyOf: [requires('identifier'), requires('exceptSessionId')] } },
      { required: ['identifier'], not: requires('sessionId') },
    ],
    examples: [{ ...EXAMPLE_SCOPE, identifier: '1919102009383', exceptSessionId: EXAMPLE_SESSION_ID }],
  });
export type RevokeSessionsBody = z.infer<typeof revokeSessionsBodySchema>;

export const revokeSessionsResponseSchema = z
  .object({ revoked: z.array(z.uuid()).describe('Sessions this call revoked; already revoked or ended ones are not repeated') })
  .meta({ examples: [{ revoked: ['01a218e6-9300-7000-8000-000000000001'] }] });
export type RevokeSessionsResponse = z.infer<typeof revokeSessionsResponseSchema>;

export const MAX_EXTENSION_MS = 365 * 86_400_000;
/** At most 365 days, whatever the unit: what JSON Schema can say of the check in the controller. */
const extensionBy = durationSchema.meta({
  description: 'How far to push the end (at most 365 days); the spec’s refresh lifetime when absent',
  anyOf: (
    [
      ['seconds', 365 * 86_400],
      ['minutes', 365 * 1_440],
      ['hours', 365 * 24],
      ['days', 365],
      ['weeks', 52],
    ] as const
  ).map(([unit, maximum]) => ({ properties: { unit: { const: unit }, value: { maximum } } })),
});
export const extendSessionBodySchema = z
  .object({ ...sessionScope, sessionId, by: extensionBy.optional() })
  .strict()
  .meta({ examples: [{ ...EXAMPLE_SCOPE, sessionId: EXAMPLE_SESSION_ID, by: { value: 7, unit: 'days' } }] });
export type ExtendSessionBody = z.infer<typeof extendSessionBodySchema>;

export const extendSessionResponseSchema = z
  .object({ sessionId: z.uuid(), refreshExpiresAt: instant })
  .meta({ examples: [{ sessionId: EXAMPLE_SESSION_ID, refreshExpiresAt: '2027-01-02T17:28:13.000Z' }] });
export type ExtendSessionResponse = z.infer<typeof extendSessionResponseSchema>;

export const listActiveQuerySchema = z
  .object({ ...sessionScope, identifier: identifierField, page: pageField, pageSize: pageSizeField })
  .strict()
  .meta({ examples: [{ ...EXAMPLE_SCOPE, identifier: '1919102009383' }] });
export type ListActiveQuery = z.infer<typeof listActiveQuerySchema>;

export const listActiveResponseSchema = z
  .object({
    total: z.int().min(0),
    page: z.int().min(1),
    pageSize: z.int().min(1),
    sessions: z.array(z.object({ sessionId: z.uuid(), startAt: instant, endAt: instant, active: z.boolean() })),
  })
  .meta({
    examples: [
      {
        total: 1,
        page: 1,
        pageSize: 20,
        sessions: [{ sessionId: EXAMPLE_SESSION_ID, startAt: '2026-11-26T17:28:13.650Z', endAt: '2026-12-26T17:28:13.000Z', active: true }],
      },
    ],
  });
export type ListActiveResponse = z.infer<typeof listActiveResponseSchema>;

export const MAX_ACTIVITY_RECORDS = 500;
const shortText = textField(256);

/**
 * The record becomes the event's `data`, one level above `properties`; the read model
 * takes event data MAX_JSON_DEPTH deep, so properties get one level less.
 */
const MAX_PROPERTIES_DEPTH = MAX_JSON_DEPTH - 1;

/**
 * One reported call; `occurredAt` defaults to the time of receipt. Here it is held to the
 * instants the read model can store; how far from now it may be is the handler's check
 * (it has the clock and the settings).
 */
export const activityRecordSchema = z
  .object({
    name: shortText,
    parent: shortText.optional(),
    child: shortText.optional(),
    status: textField(64).default('success'),
    latencyMs: z.number().min(0).max(86_400_000).optional(),
    processId: shortText.optional(),
    properties: z
      .record(keyField(128), z.unknown())
      .superRefine((value, ctx) => {
        // Depth first: the size check serialises the value.
        if (!depthAtMost(value, MAX_PROPERTIES_DEPTH)) {
          ctx.addIssue({ code: 'custom', message: `nests deeper than ${MAX_PROPERTIES_DEPTH} levels` });
        } else if (Buffer.byteLength(JSON.stringify(value)) > 8 * 1024) {
          ctx.addIssue({ code: 'custom', message: 'must be at most 8192 bytes as JSON' });
        }
      })
      .optional(),
    occurredAt: storableInstantField.optional(),
  })
  .strict();
/** A record as a caller writes it (status and occurredAt may be left out). */
export type ActivityRecordInput = z.input<typeof activityRecordSchema>;

export const recordActivityBodySchema = z
  .object({
    ...sessionScope,
    token,
    record: activityRecordSchema.optional(),
    records: z.array(activityRecordSchema).min(1).max(MAX_ACTIVITY_RECORDS).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.record === undefined) === (body.records === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['records'], message: `give either record or records (1 to ${MAX_ACTIVITY_RECORDS})` });
    }
  })
  .meta({
    oneOf: [{ required: ['record'] }, { required: ['records'] }],
    examples: [
      {
        ...EXAMPLE_SCOPE,
        token: EXAMPLE_TOKEN,
        records: [{ name: 'POST /checkout', parent: 'cart', status: 'success', latencyMs: 83, processId: 'worker-3', properties: { items: 2 } }],
      },
    ],
  });
export type RecordActivityBody = z.infer<typeof recordActivityBodySchema>;

export const recordActivityResponseSchema = z
  .object({ recorded: z.int().min(0), sessionId: z.uuid() })
  .meta({ examples: [{ recorded: 1, sessionId: EXAMPLE_SESSION_ID }] });
export type RecordActivityResponse = z.infer<typeof recordActivityResponseSchema>;
