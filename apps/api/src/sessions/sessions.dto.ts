import { durationSchema } from '@waymark/config';
import { MAX_JSON_DEPTH } from '@waymark/domain';
import { z } from 'zod';
import { depthAtMost, identifierField, keyField, sessionDataField, slugField, storableInstantField, textField } from '../shared/request-fields';

const scope = { product: slugField, env: slugField, tag: slugField };
const sessionId = z.uuid();
const token = z
  .string()
  .min(1)
  .max(64 * 1024);

/** `POST /v1/sessions`, the seed's `sessions.start` parameters. */
export const startSessionBodySchema = z.object({ ...scope, data: sessionDataField }).strict();
export type StartSessionBody = z.infer<typeof startSessionBodySchema>;

export const verifySessionBodySchema = z.object({ ...scope, token }).strict();
export type VerifySessionBody = z.infer<typeof verifySessionBodySchema>;

export const refreshSessionBodySchema = z.object({ ...scope, refreshToken: token }).strict();
export type RefreshSessionBody = z.infer<typeof refreshSessionBodySchema>;

/** Revoke one session by id, or all of one user's sessions in the tag (optionally but one). */
export const revokeSessionsBodySchema = z
  .object({
    ...scope,
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
  });
export type RevokeSessionsBody = z.infer<typeof revokeSessionsBodySchema>;

const MAX_EXTENSION_MS = 365 * 86_400_000;
export const extendSessionBodySchema = z.object({ ...scope, sessionId, by: durationSchema.optional() }).strict();
export type ExtendSessionBody = z.infer<typeof extendSessionBodySchema>;
export { MAX_EXTENSION_MS };

export const listActiveQuerySchema = z
  .object({
    ...scope,
    identifier: identifierField,
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type ListActiveQuery = z.infer<typeof listActiveQuerySchema>;

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
export type ActivityRecordBody = z.infer<typeof activityRecordSchema>;

export const recordActivityBodySchema = z
  .object({
    ...scope,
    token,
    record: activityRecordSchema.optional(),
    records: z.array(activityRecordSchema).min(1).max(MAX_ACTIVITY_RECORDS).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.record === undefined) === (body.records === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['records'], message: `give either record or records (1 to ${MAX_ACTIVITY_RECORDS})` });
    }
  });
export type RecordActivityBody = z.infer<typeof recordActivityBodySchema>;
