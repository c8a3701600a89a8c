import { isStorableInstant } from '@waymark/domain';
import type { ReadStart } from '@waymark/event-log';
import { z } from 'zod';
import { STORABLE_RANGE_MESSAGE, slugField } from './fields';

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
  })
  .meta({
    // No pattern: what follows `position:` depends on the mode (a number embedded, <partition>:<offset> pairs on Kafka),
    // and the distributed replay does not refuse a malformed one with 400 yet (see the report of issue 15).
    description: '`beginning`, an ISO-8601 time, or `position:<p>` (embedded: a log position; distributed: `<partition>:<offset>,…`)',
  });

export const startReplayBodySchema = z
  .object({
    from: replayStartField,
    product: slugField.optional(),
    tag: slugField.optional(),
    dryRun: z.boolean().default(false),
  })
  .strict()
  .refine((body) => body.tag === undefined || body.product !== undefined, { path: ['tag'], error: 'tag goes with product' })
  .meta({ dependentRequired: { tag: ['product'] }, examples: [{ from: 'beginning', product: 'my-product-tag', dryRun: false }] });
export type StartReplayBody = z.infer<typeof startReplayBodySchema>;

export const EXAMPLE_REPLAY_ID = '01a21b40-5f2e-7c11-9d3a-8e2f5b6c7d10';

export const replayProgressSchema = z
  .object({
    id: z.string(),
    status: z.enum(['running', 'interrupted', 'completed', 'failed']),
    /** Embedded: copying, replaying, handing-over, done. Distributed (Kafka): replaying, swapping, catching-up, done. */
    phase: z.enum(['copying', 'replaying', 'handing-over', 'swapping', 'catching-up', 'done']),
    processed: z.int().min(0),
    total: z.int().min(0).describe('Events in scope when planned; the replay also takes those that arrive meanwhile'),
    skipped: z.int().min(0),
    refused: z.int().min(0).optional().describe('Of `skipped`, the events ClickHouse refused'),
    eventsPerSecond: z.number().min(0),
    etaSeconds: z.number().min(0).optional(),
    reached: z.string().optional(),
    error: z.string().optional(),
  })
  .meta({
    examples: [
      {
        id: EXAMPLE_REPLAY_ID,
        status: 'running',
        phase: 'replaying',
        processed: 420000,
        total: 1000000,
        skipped: 0,
        refused: 0,
        eventsPerSecond: 41000,
        etaSeconds: 15,
        reached: '420000',
      },
    ],
  });
export type ReplayProgress = z.infer<typeof replayProgressSchema>;

const readStartSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('beginning') }),
  z.object({ kind: z.literal('time'), at: z.number() }),
  z.object({ kind: z.literal('position'), position: z.string() }),
]);

export const replayPlanSchema = z.object({
  request: z.object({ start: readStartSchema, product: z.string().optional(), tag: z.string().optional() }),
  fromPosition: z.string().optional(),
  headPosition: z.string(),
  events: z.int().min(0),
  partial: z.boolean(),
});

const EXAMPLE_PLAN = {
  request: { start: { kind: 'beginning' }, product: 'my-product-tag' },
  fromPosition: '1',
  headPosition: '1000000',
  events: 1000000,
  partial: true,
};
const EXAMPLE_DESCRIPTION =
  'replay 1000000 events of product my-product-tag from the beginning of the log (positions ' +
  '1..1000000, more if they arrive) into a shadow table, then swap it in; rows outside that scope are ' +
  'copied over unchanged';

/** A started replay (202), or with `dryRun` the plan alone (`dryRun: true`, no id). */
export const replayStartedSchema = z
  .object({
    id: z.string().optional().describe('The run to follow (absent with dryRun)'),
    dryRun: z.literal(true).optional(),
    plan: replayPlanSchema,
    description: z.string(),
    progress: replayProgressSchema.optional(),
  })
  .meta({
    examples: [
      {
        id: EXAMPLE_REPLAY_ID,
        plan: EXAMPLE_PLAN,
        description: EXAMPLE_DESCRIPTION,
        progress: { id: EXAMPLE_REPLAY_ID, status: 'running', phase: 'copying', processed: 0, total: 1000000, skipped: 0, refused: 0, eventsPerSecond: 0 },
      },
    ],
  });
export type ReplayStarted = z.infer<typeof replayStartedSchema>;

export const replayCancelSchema = z.object({ id: z.string(), cancelling: z.boolean() }).meta({ examples: [{ id: EXAMPLE_REPLAY_ID, cancelling: true }] });
export type ReplayCancel = z.infer<typeof replayCancelSchema>;
