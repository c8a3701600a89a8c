import { z } from 'zod';
import { instant, slugField } from './fields';
import { lineageGenerationSchema, lineageIncidentSchema } from './lineage';
import { EXAMPLE_SCOPE, EXAMPLE_SESSION_ID } from './sessions';

export const getJourneyQuerySchema = z
  .object({
    product: slugField,
    env: slugField,
    tag: slugField,
    identifier: z.string().min(1).max(256),
    limit: z.coerce.number().int().min(1).optional().describe('At most JOURNEY_MAX_EVENTS (the default)'),
  })
  .strict()
  .meta({ examples: [{ ...EXAMPLE_SCOPE, identifier: '1919102009383' }] });
export type GetJourneyParams = z.infer<typeof getJourneyQuerySchema>;

export const journeyEventSchema = z.object({
  id: z.uuid(),
  type: z.string(),
  version: z.int(),
  occurredAt: instant,
  sessionId: z.string(),
  data: z.record(z.string(), z.unknown()),
  meta: z.record(z.string(), z.unknown()),
});

/** A journey session's token family: the lineage endpoint's, without the incidents' request metadata. */
const journeyLineageSchema = z.object({
  generations: z.array(lineageGenerationSchema),
  incidents: z.array(lineageIncidentSchema.omit({ request: true })),
  revocation: z.object({ eventId: z.uuid(), occurredAt: instant, reason: z.string() }).nullable(),
});

export const journeySchema = z
  .object({
    product: z.string(),
    env: z.string(),
    tag: z.string(),
    identifier: z.string(),
    sessions: z.array(
      z.object({
        sessionId: z.string(),
        startedAt: instant,
        lastEventAt: instant,
        eventCount: z.int().min(0),
        lineage: journeyLineageSchema
          .optional()
          .describe("The session's refresh-token family as far as the journey's events show it; absent when they hold none of it"),
      }),
    ),
    events: z.array(journeyEventSchema),
    truncated: z.boolean().describe('True when the user has more events than the limit returned'),
  })
  .meta({
    examples: [
      {
        ...EXAMPLE_SCOPE,
        identifier: '1919102009383',
        sessions: [{ sessionId: EXAMPLE_SESSION_ID, startedAt: '2026-11-26T17:28:13.650Z', lastEventAt: '2026-11-26T17:29:01.002Z', eventCount: 2 }],
        events: [
          {
            id: '01a218e6-9256-7073-ac13-fb7d217bc58a',
            type: 'SessionStarted',
            version: 1,
            occurredAt: '2026-11-26T17:28:13.650Z',
            sessionId: EXAMPLE_SESSION_ID,
            data: { expiresAt: '2026-11-26T18:28:13.000Z', refreshExpiresAt: '2026-12-26T17:28:13.000Z', sealedData: 'eyJhbGciOiJkaXIi...' },
            meta: { source: 'api' },
          },
          {
            id: '01a218e7-4a0a-7000-8000-000000000002',
            type: 'SessionActivityRecorded',
            version: 1,
            occurredAt: '2026-11-26T17:29:01.002Z',
            sessionId: EXAMPLE_SESSION_ID,
            data: { name: 'POST /checkout', status: 'success', latencyMs: 83 },
            meta: { source: 'api' },
          },
        ],
        truncated: false,
      },
    ],
  });
export type Journey = z.infer<typeof journeySchema>;
