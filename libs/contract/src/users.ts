import { z } from 'zod';
import { identifierField, instant, slugField } from './fields';

/** Envs or tags an erasure is narrowed to: distinct, at most 64 (absent or empty: all of them). */
const scopeList = z
  .array(slugField)
  .max(64)
  .refine((values) => new Set(values).size === values.length, 'must not repeat a value');

export const eraseUserBodySchema = z
  .object({
    product: slugField,
    identifier: identifierField,
    envs: scopeList.optional().describe('Only these envs (absent or empty: every env of the product)'),
    tags: scopeList.optional().describe('Only these session tags (absent or empty: every tag)'),
  })
  .strict()
  .meta({ examples: [{ product: 'my-product-tag', identifier: '1919102009383' }] });
export type EraseUserBody = z.infer<typeof eraseUserBodySchema>;

export const EXAMPLE_ERASURE_EVENT_ID = '01a21b40-6a10-7c11-9d3a-8e2f5b6c7d11';

export const erasureReceiptSchema = z
  .object({
    product: z.string(),
    identifier: z.string(),
    erasedAt: instant.describe('When the erasure finished (the first time, for a repeated request)'),
    scope: z.object({
      envs: z.array(z.string()).describe('Empty: every env'),
      tags: z.array(z.string()).describe('Empty: every tag'),
      wholeProduct: z.boolean().describe('True when neither envs nor tags narrowed the erasure: only then is the key destroyed'),
    }),
    sessionsRevoked: z.int().min(0).describe('Live sessions this erasure revoked (reason `erased`)'),
    sessionsErased: z.int().min(0).describe("Session records emptied of the user's data (revoked ones kept as tombstones until they end)"),
    keyDestroyed: z.boolean().describe("True when the user's key was destroyed (the log's events of the user can no longer be read)"),
    readModelRowsDeleted: z.record(z.string(), z.int().min(0)).describe('Rows deleted per read-model table'),
    eventId: z.uuid().describe('The IdentifierErased event recorded for this erasure'),
    kept: z.array(z.string()).describe('What this erasure left in place, and why (empty for a whole-product erasure)'),
    repeated: z.boolean().describe('True when the erasure had already finished: this is its receipt, nothing was done again'),
  })
  .meta({
    examples: [
      {
        product: 'my-product-tag',
        identifier: '1919102009383',
        erasedAt: '2026-12-03T18:40:00.000Z',
        scope: { envs: [], tags: [], wholeProduct: true },
        sessionsRevoked: 1,
        sessionsErased: 2,
        keyDestroyed: true,
        readModelRowsDeleted: { events: 14, sessions: 2, events_by_quarter: 14, journey_events: 14, user_days: 3, activity_by_user: 10 },
        eventId: EXAMPLE_ERASURE_EVENT_ID,
        kept: [],
        repeated: false,
      },
    ],
  });
export type ErasureReceipt = z.infer<typeof erasureReceiptSchema>;

export const exportUserQuerySchema = z
  .object({
    product: slugField,
    identifier: identifierField,
  })
  .strict()
  .meta({ examples: [{ product: 'my-product-tag', identifier: '1919102009383' }] });
export type ExportUserParams = z.infer<typeof exportUserQuerySchema>;

/** The first line of an export. */
export const exportHeaderLineSchema = z.object({
  kind: z.literal('export'),
  product: z.string(),
  identifier: z.string(),
  exportedAt: instant,
});

/** One session of the user, from the read model, with its data opened. */
export const exportSessionLineSchema = z.object({
  kind: z.literal('session'),
  env: z.string(),
  tag: z.string(),
  sessionId: z.string(),
  startedAt: instant.nullable(),
  lastEventAt: instant,
  endsAt: instant.nullable(),
  revokedAt: instant.nullable(),
  data: z.record(z.string(), z.unknown()).nullable().describe('The data the session was started with; null when it cannot be opened'),
});

/** One event of the user as recorded, a SessionStarted's sealed data opened into `data.data`. */
export const exportEventLineSchema = z.object({
  kind: z.literal('event'),
  id: z.uuid(),
  type: z.string(),
  version: z.int(),
  occurredAt: instant,
  env: z.string(),
  tag: z.string(),
  sessionId: z.string(),
  data: z.record(z.string(), z.unknown()),
  meta: z.record(z.string(), z.unknown()),
});

/** The last line: what was written (a cut stream lacks it). */
export const exportEndLineSchema = z.object({
  kind: z.literal('end'),
  sessions: z.int().min(0),
  events: z.int().min(0),
});

export const exportLineSchema = z.discriminatedUnion('kind', [exportHeaderLineSchema, exportSessionLineSchema, exportEventLineSchema, exportEndLineSchema]);
export type UserExportLine = z.infer<typeof exportLineSchema>;

/** The answer as documented: NDJSON text, one `exportLineSchema` value per line. */
export const userExportSchema = z.string().meta({
  description: 'NDJSON: an `export` line, then one `session` line per session, one `event` line per event (in time order), and an `end` line',
  examples: [
    [
      { kind: 'export', product: 'my-product-tag', identifier: '1919102009383', exportedAt: '2026-12-03T18:40:00.000Z' },
      {
        kind: 'session',
        env: 'snd',
        tag: 'session-tag',
        sessionId: '01a21b40-5f2e-7c11-9d3a-8e2f5b6c7d00',
        startedAt: '2026-12-01T09:00:00.000Z',
        lastEventAt: '2026-12-01T09:05:00.000Z',
        endsAt: '2026-12-31T09:00:00.000Z',
        revokedAt: null,
        data: { userId: '1919102009383' },
      },
      { kind: 'end', sessions: 1, events: 0 },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n') + '\n',
  ],
});
