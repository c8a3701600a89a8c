import { z } from 'zod';
import { identifierField, slugField } from '../../shared/request-fields';

/** A tag's newest events, or one user's (identifier with its env). */
export const liveQuerySchema = z
  .object({ product: slugField, env: slugField.optional(), tag: slugField, identifier: identifierField.optional() })
  .strict()
  .refine((query) => query.identifier === undefined || query.env !== undefined, {
    path: ['env'],
    message: 'is required with identifier (a user is product, env, tag and identifier)',
  });
export type LiveParams = z.infer<typeof liveQuerySchema>;
