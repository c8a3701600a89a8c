import { isStorableInstant } from '@waymark/domain';
import { ReadStart } from '@waymark/event-log';
import { z } from 'zod';
import { STORABLE_RANGE_MESSAGE, slugField } from '../shared/request-fields';

/** `beginning`, an ISO-8601 time, or `position:<log position>` — the same words as the CLI's --from. */
export const replayStartField = z
  .string()
  .default('beginning')
  .transform((value, ctx): ReadStart => {
    if (value === 'beginning') return { kind: 'beginning' };
    const position = /^position:(.+)$/.exec(value);
    if (position) return { kind: 'position', position: position[1] };
    const at = Date.parse(value);
    if (/^\d{4}-\d{2}-\d{2}/.test(value) && Number.isFinite(at)) {
      // No event lies outside these instants, and a log asked for a position at such a time fails (Kafka takes no negative timestamp).
      if (isStorableInstant(at)) return { kind: 'time', at };
      ctx.addIssue({ code: 'custom', message: STORABLE_RANGE_MESSAGE });
      return z.NEVER;
    }
    ctx.addIssue({ code: 'custom', message: 'use "beginning", an ISO-8601 time, or "position:<n>"' });
    return z.NEVER;
  });

export const startReplayBodySchema = z
  .object({
    from: replayStartField,
    product: slugField.optional(),
    tag: slugField.optional(),
    dryRun: z.boolean().default(false),
  })
  .strict()
  .refine((body) => body.tag === undefined || body.product !== undefined, { path: ['tag'], message: 'tag goes with product' });

export type StartReplayBody = z.infer<typeof startReplayBodySchema>;
