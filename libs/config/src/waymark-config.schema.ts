import { z } from 'zod';
import { DATA_FIELD_TYPES, DURATION_UNITS, SENDER_CONSTRAINTS } from '@waymark/domain';

export const slugSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, dot, dash and underscore only');

export const durationSchema = z
  .object({
    value: z.number().int().positive().max(1_000_000),
    unit: z.enum(DURATION_UNITS),
  })
  .strict();

const dottedPath = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a dotted path into data, e.g. userId or details.email');

/** A session spec as admins write it (HTTP body, spec file, config file). */
export const sessionSpecSchema = z
  .object({
    tag: slugSchema,
    name: z.string().min(1).max(128),
    description: z.string().max(1024).optional(),
    selector: dottedPath,
    expiry: durationSchema.default({ value: 1, unit: 'hours' }),
    refreshExpiry: durationSchema.default({ value: 30, unit: 'days' }),
    idleTimeout: durationSchema
      .optional()
      .describe(
        'A session unused (no verify, activity, refresh or extend) for longer than this is refused with reason idle. ' +
          'Absent: the refresh lifetime. At most absoluteLifetime (docs/session-timeouts.md)',
      ),
    absoluteLifetime: durationSchema
      .optional()
      .describe(
        'No session lives longer than this from its start, however often refreshed or extended (reason absolute). ' +
          'Absent: 90 days, or the refresh lifetime if longer. At least expiry (docs/session-timeouts.md)',
      ),
    schema: z.record(dottedPath, z.object({ type: z.enum(DATA_FIELD_TYPES), required: z.boolean().optional() }).strict()).optional(),
    senderConstraint: z
      .enum(SENDER_CONSTRAINTS)
      .optional()
      .describe('Bind sessions to a key the client holds (DPoP, docs/dpop.md): none (absent), dpop-optional or dpop-required'),
  })
  .strict();

export const API_KEY_ROLES = ['secret', 'read', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

const rateLimitSchema = z.object({ perSecond: z.number().positive(), burst: z.number().int().positive() }).strict();

/** An API key as configured: only the hash of its secret is ever written down. */
export const apiKeyEntrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]{12}$/, '12 lowercase letters or digits (as printed by `waymark api-keys create`)'),
    name: z.string().min(1).max(128),
    product: slugSchema,
    envs: z.array(z.union([slugSchema, z.literal('*')])).min(1),
    roles: z.array(z.enum(API_KEY_ROLES)).min(1),
    secretHash: z.string().regex(/^sha256:[A-Za-z0-9_-]{43}$/, 'sha256:<base64url digest>'),
    rateLimit: rateLimitSchema.optional(),
  })
  .strict();

export type ApiKeyEntry = z.infer<typeof apiKeyEntrySchema>;

/** 100 years: a bound that catches a unit mistake (milliseconds typed as days) without limiting anyone. */
const MAX_RETENTION_DAYS = 36_500;
const retentionDays = z.number().int().min(1).max(MAX_RETENTION_DAYS);

/**
 * How long the product's events are kept (docs/retention.md): `days` for every env,
 * `envs` overriding it per env. Absent: kept forever.
 */
export const retentionSchema = z
  .object({
    days: retentionDays.optional(),
    envs: z.record(slugSchema, retentionDays).optional(),
  })
  .strict();

const productSchema = z
  .object({
    tag: slugSchema,
    name: z.string().min(1).max(128),
    envs: z.array(slugSchema).min(1),
    /** Specs created at start-up when the store has never had them; managed at run time after. */
    sessions: z.array(sessionSpecSchema).default([]),
    retention: retentionSchema.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.retention) {
      const overrides = Object.keys(value.retention.envs ?? {});
      // An empty entry reads as "retention is configured" but would keep everything forever.
      if (value.retention.days === undefined && overrides.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['retention'], message: 'give `days`, `envs` or both (remove `retention` to keep events forever)' });
      }
      // A misspelt env would silently keep that env's events forever.
      for (const env of overrides) {
        if (!value.envs.includes(env)) {
          ctx.addIssue({ code: 'custom', path: ['retention', 'envs', env], message: `unknown env '${env}' (the product's envs: ${value.envs.join(', ')})` });
        }
      }
    }
    const seen = new Set<string>();
    value.sessions.forEach((spec, index) => {
      if (seen.has(spec.tag)) {
        ctx.addIssue({ code: 'custom', path: ['sessions', index, 'tag'], message: `duplicate session tag '${spec.tag}'` });
      }
      seen.add(spec.tag);
    });
  });

/**
 * The products, envs, seed specs and API keys file (`WAYMARK_CONFIG`). Every object in
 * it is strict: an unknown key is a typo until proven otherwise, and a typo must stop
 * start-up rather than leave a setting silently at its default.
 *
 * `apiKeys` absent means no key configuration at all (open development mode outside
 * production, unless WAYMARK_BOOTSTRAP_KEY is set). `apiKeys: []` is refused: it reads
 * as "no one may call" but would have meant "anyone may", so the file must say which.
 */
export const waymarkConfigSchema = z
  .object({
    products: z.array(productSchema).min(1),
    apiKeys: z
      .array(apiKeyEntrySchema)
      .min(1, 'is empty: add a key (`waymark api-keys create`), or remove the member to run in open development mode (outside production)')
      .optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const products = new Set<string>();
    value.products.forEach((entry, index) => {
      if (products.has(entry.tag)) {
        ctx.addIssue({ code: 'custom', path: ['products', index, 'tag'], message: `duplicate product '${entry.tag}'` });
      }
      products.add(entry.tag);
    });
    const keys = new Set<string>();
    (value.apiKeys ?? []).forEach((key, index) => {
      if (keys.has(key.id)) ctx.addIssue({ code: 'custom', path: ['apiKeys', index, 'id'], message: `duplicate API key id '${key.id}'` });
      if (!products.has(key.product)) {
        ctx.addIssue({ code: 'custom', path: ['apiKeys', index, 'product'], message: `unknown product '${key.product}'` });
      }
      keys.add(key.id);
    });
  });
