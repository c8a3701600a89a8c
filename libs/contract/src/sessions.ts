import { durationSchema } from '@waymark/config';
import { MAX_JSON_DEPTH } from '@waymark/domain';
import { DPOP_PROOF_MAX_LENGTH, JWK_THUMBPRINT_PATTERN } from '@waymark/tokens';
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

const EXAMPLE_JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';

/** RFC 7638 SHA-256 thumbprint of the client's public key (docs/dpop.md). */
const jktField = z
  .string()
  .regex(JWK_THUMBPRINT_PATTERN, 'an RFC 7638 SHA-256 JWK thumbprint: 43 base64url characters, no padding')
  .describe(
    "Bind the session to the client's key (DPoP, RFC 9449): the RFC 7638 SHA-256 thumbprint of its public JWK. " +
      'Tokens then carry `cnf.jkt` and verify needs a proof signed with that key. Refused unless the spec’s ' +
      '`senderConstraint` allows it; required when it is `dpop-required`.',
  );

/** `POST /v1/sessions`, the seed's `sessions.start` parameters. */
export const startSessionBodySchema = z
  .object({ ...sessionScope, data: sessionDataField, jkt: jktField.optional() })
  .strict()
  .meta({
    examples: [
      { ...EXAMPLE_SCOPE, data: EXAMPLE_DATA },
      { ...EXAMPLE_SCOPE, data: EXAMPLE_DATA, jkt: EXAMPLE_JKT },
    ],
  });
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

/**
 * What the product's backend forwards of its client's request for a token bound to a key:
 * the `DPoP` header and the request it came with (RFC 9449 §4.3 checks `htm` and `htu`
 * against these, and `ath` against the token).
 */
export const dpopPresentationSchema = z
  .object({
    proof: z.string().min(1).max(DPOP_PROOF_MAX_LENGTH).describe("The client's DPoP proof (the `DPoP` request header): a compact JWS"),
    method: z
      .string()
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/, 'an HTTP method, as received')
      .describe('The HTTP method of the request the proof came with, as received (compared with `htm`)'),
    url: z
      .url({ protocol: /^https?$/ })
      .max(8 * 1024)
      .describe('The absolute URL the client called (compared with `htu`, ignoring query and fragment)'),
  })
  .strict();
export type DpopPresentationBody = z.infer<typeof dpopPresentationSchema>;

export const verifySessionBodySchema = z
  .object({
    ...sessionScope,
    token,
    dpop: dpopPresentationSchema.optional().describe('Required for a token bound to a key (`cnf.jkt`); not looked at for other tokens'),
    maxAgeSeconds: z
      .int()
      .min(0)
      .max(10 * 365 * 86_400)
      .optional()
      .describe('Refuse (`reason: stale`) a session started more than this many seconds ago (OIDC `max_age`, ASVS 7.5.1)'),
  })
  .strict()
  .meta({
    examples: [
      { ...EXAMPLE_SCOPE, token: EXAMPLE_TOKEN },
      {
        ...EXAMPLE_SCOPE,
        token: EXAMPLE_TOKEN,
        dpop: { proof: 'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7...', method: 'GET', url: 'https://api.example.com/orders' },
      },
    ],
  });
export type VerifySessionBody = z.infer<typeof verifySessionBodySchema>;

export const verifySessionResponseSchema = z
  .discriminatedUnion('valid', [
    z.object({
      valid: z.literal(true),
      sessionId: z.uuid(),
      identifier: z.string(),
      data: z.record(z.string(), z.unknown()),
      expiresAt: instant,
      authTime: instant.optional().describe('When the session started (the token’s `auth_time`); absent only for tokens minted before it was written'),
    }),
    z.object({
      valid: z.literal(false),
      reason: z
        .enum(['invalid', 'expired', 'revoked', 'idle', 'absolute', 'stale', 'dpop'])
        .describe(
          '`idle`: unused for longer than its idle timeout; `absolute`: past its absolute lifetime; `stale`: started longer ago than ' +
            '`maxAgeSeconds`; `dpop`: the token is bound to a key and its proof is missing or fails a check',
        ),
      detail: z.string().optional().describe('With `dpop`: which check failed, for the product’s developers'),
    }),
  ])
  .meta({
    examples: [
      {
        valid: true,
        sessionId: EXAMPLE_SESSION_ID,
        identifier: '1919102009383',
        data: EXAMPLE_DATA,
        expiresAt: '2026-11-26T18:28:13.000Z',
        authTime: '2026-11-26T17:28:13.000Z',
      },
      { valid: false, reason: 'idle' },
    ],
  });
export type VerifySessionResponse = z.infer<typeof verifySessionResponseSchema>;

/**
 * The end user's side of a refresh as the product's backend saw it. Waymark is called by
 * that backend, so its own request's address and user agent are the backend's: these
 * name the user's. Recorded only if the refresh turns out to be a reuse incident, sealed
 * with the user's key (docs/token-lineage.md).
 */
export const refreshClientSchema = z
  .object({
    userAgent: textField(512).optional().describe("The end user's User-Agent"),
    ip: z.union([z.ipv4(), z.ipv6()]).optional().describe("The end user's IP address"),
  })
  .strict();
export type RefreshClient = z.infer<typeof refreshClientSchema>;

export const refreshSessionBodySchema = z
  .object({
    ...sessionScope,
    refreshToken: token,
    client: refreshClientSchema.optional().describe("The end user's request (user agent, IP), kept only with a reuse incident; absent: this request's own"),
  })
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
