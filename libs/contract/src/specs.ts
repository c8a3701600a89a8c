import { sessionSpecSchema } from '@waymark/config';
import { z } from 'zod';

export { sessionSpecSchema };

const EXAMPLE_SPEC = {
  tag: 'checkout',
  name: 'Checkout',
  selector: 'customer.email',
  expiry: { value: 15, unit: 'minutes' },
  refreshExpiry: { value: 7, unit: 'days' },
  idleTimeout: { value: 30, unit: 'minutes' },
  absoluteLifetime: { value: 12, unit: 'hours' },
  schema: { 'customer.email': { type: 'string', required: true } },
};

/** POST body: a new spec. */
export const createSpecBodySchema = sessionSpecSchema.meta({ examples: [EXAMPLE_SPEC] });

/** PUT body: the whole spec; its tag, if given, must be the one in the path. */
export const updateSpecBodySchema = sessionSpecSchema
  .extend({ tag: sessionSpecSchema.shape.tag.optional() })
  .meta({ examples: [{ ...EXAMPLE_SPEC, name: 'Checkout v2' }] });
export type UpdateSpecBody = z.infer<typeof updateSpecBodySchema>;

/** A stored spec: what every spec operation answers. */
export const specViewSchema = z
  .object({ product: z.string(), revision: z.int().min(1), spec: sessionSpecSchema })
  .meta({ examples: [{ product: 'my-product-tag', revision: 2, spec: EXAMPLE_SPEC }] });
export type SpecView = z.infer<typeof specViewSchema>;

export const specListSchema = z
  .object({ product: z.string(), specs: z.array(specViewSchema) })
  .meta({ examples: [{ product: 'my-product-tag', specs: [{ product: 'my-product-tag', revision: 1, spec: EXAMPLE_SPEC }] }] });
export type SpecList = z.infer<typeof specListSchema>;

export const specDeletedSchema = z
  .object({ product: z.string(), tag: z.string(), revision: z.int().min(1), deleted: z.literal(true) })
  .meta({ examples: [{ product: 'my-product-tag', tag: 'checkout', revision: 3, deleted: true }] });
export type SpecDeleted = z.infer<typeof specDeletedSchema>;
