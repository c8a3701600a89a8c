import { z } from 'zod';
import { sessionDataField, slugField } from '../shared/request-fields';

/** Body of `POST /v1/sessions`, the seed's `sessions.start` parameters. */
export const startSessionBodySchema = z
  .object({
    product: slugField,
    env: slugField,
    tag: slugField,
    data: sessionDataField,
  })
  .strict();

export type StartSessionBody = z.infer<typeof startSessionBodySchema>;
