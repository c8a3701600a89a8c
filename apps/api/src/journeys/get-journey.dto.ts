import { z } from 'zod';
import { slugField } from '../shared/request-fields';

export const getJourneyQuerySchema = z
  .object({
    product: slugField,
    env: slugField,
    tag: slugField,
    identifier: z.string().min(1).max(256),
    limit: z.coerce.number().int().min(1).optional(),
  })
  .strict();

export type GetJourneyParams = z.infer<typeof getJourneyQuerySchema>;
