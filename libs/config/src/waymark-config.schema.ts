import { z } from 'zod';
import { DURATION_UNITS } from '@waymark/domain';

const slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, dot, dash and underscore only');

const duration = z.object({
  value: z.number().int().positive(),
  unit: z.enum(DURATION_UNITS),
});

const selector = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a dotted path into data, e.g. userId or details.email');

const sessionSpec = z.object({
  tag: slug,
  name: z.string().min(1).max(128),
  description: z.string().max(1024).optional(),
  selector,
  expiry: duration.default({ value: 1, unit: 'hours' }),
  refreshExpiry: duration.default({ value: 30, unit: 'days' }),
});

const product = z
  .object({
    tag: slug,
    name: z.string().min(1).max(128),
    envs: z.array(slug).min(1),
    sessions: z.array(sessionSpec),
  })
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    value.sessions.forEach((spec, index) => {
      if (seen.has(spec.tag)) {
        ctx.addIssue({ code: 'custom', path: ['sessions', index, 'tag'], message: `duplicate session tag '${spec.tag}'` });
      }
      seen.add(spec.tag);
    });
  });

/** The products, envs and session specs file (`WAYMARK_CONFIG`). */
export const waymarkConfigSchema = z
  .object({ products: z.array(product).min(1) })
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    value.products.forEach((entry, index) => {
      if (seen.has(entry.tag)) {
        ctx.addIssue({ code: 'custom', path: ['products', index, 'tag'], message: `duplicate product '${entry.tag}'` });
      }
      seen.add(entry.tag);
    });
  });

export type WaymarkConfigFile = z.infer<typeof waymarkConfigSchema>;
