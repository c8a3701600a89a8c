import { ReadStart } from '@waymark/event-log';
import { z } from 'zod';
import { slugField } from '../shared/request-fields';

/** `beginning`, an ISO-8601 time, or `position:<log position>` — the same words as the CLI's --from. */
export const replayStartField = z
  .string()
  .default('beginning')
  .transform((value, ctx): ReadStart => {
    if (value === 'beginning') return { kind: 'beginning' };
    const position = /^position:(.+)$/.exec(value);
    if (position) return { kind: 'position', position: position[1] };
    const at = Date.parse(value);
    if (/^\d{4}-\d{2}-\d{2}/.test(value) && Number.isFinite(at)) return { kind: 'time', at };
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
