import { sessionSpecSchema } from '@waymark/config';
import { z } from 'zod';

export { sessionSpecSchema };

/** PUT body: the whole spec; its tag, if given, must be the one in the path. */
export const updateSpecBodySchema = sessionSpecSchema.extend({ tag: sessionSpecSchema.shape.tag.optional() });
export type UpdateSpecBody = z.infer<typeof updateSpecBodySchema>;

export interface SpecView {
  product: string;
  revision: number;
  spec: z.infer<typeof sessionSpecSchema>;
}
