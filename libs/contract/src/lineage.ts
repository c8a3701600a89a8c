import { z } from 'zod';
import { tagDashboardQuerySchema } from './analytics';
import { instant, slugField } from './fields';
import { EXAMPLE_SCOPE, EXAMPLE_SESSION_ID } from './sessions';

/*
 * Token lineage and reuse incidents (docs/token-lineage.md): a session's refresh-token
 * family, and the analytics over reuse incidents with each one's blast radius.
 */

const generation = z.int().min(0);

/** `GET /v1/sessions/{sessionId}/lineage`: the session's scope, as every session method names it. */
export const sessionLineageQuerySchema = z
  .object({ product: slugField, env: slugField, tag: slugField })
  .strict()
  .meta({ examples: [EXAMPLE_SCOPE] });
export type SessionLineageQuery = z.infer<typeof sessionLineageQuerySchema>;

export const sessionLineageParamsSchema = z.object({ sessionId: z.uuid() }).strict();

/** The refresh request a reuse incident recorded, opened with the user's key. */
export const incidentRequestSchema = z.object({ userAgent: z.string().optional(), ip: z.string().optional() });

export const lineageGenerationSchema = z.object({
  generation,
  parentGeneration: generation.nullable().describe('The token this one replaced; null for generation 0 (minted at start)'),
  mintedBy: z.uuid().describe('The SessionStarted or SessionRefreshed that minted it'),
  mintedAt: instant,
  spentBy: z.uuid().nullable().describe('The rotation (SessionRefreshed) that spent it'),
  spentAt: instant.nullable(),
  replayedBy: z.uuid().nullable().describe('The RefreshTokenReused incident that presented it again after it was spent'),
});

export const lineageIncidentSchema = z.object({
  eventId: z.uuid(),
  occurredAt: instant,
  replayedGeneration: generation,
  currentGeneration: generation.describe('The live generation when the spent one came back'),
  spentAt: instant.nullable().describe('When the replayed token was spent; null when that is not known'),
  sinceSpentMs: z.number().nullable(),
  request: incidentRequestSchema
    .nullable()
    .describe("The refresh request's user agent and IP, opened with the user's key; null when none was recorded or the user was erased"),
});

export const sessionLineageSchema = z
  .object({
    sessionId: z.uuid(),
    product: z.string(),
    env: z.string(),
    tag: z.string(),
    identifier: z.string(),
    status: z.enum(['active', 'revoked', 'ended']),
    currentGeneration: generation,
    generations: z.array(lineageGenerationSchema).describe('The family, generation 0 first'),
    incidents: z.array(lineageIncidentSchema),
    revocation: z.object({ eventId: z.uuid(), occurredAt: instant, reason: z.string() }).nullable(),
    complete: z.boolean().describe("False while the read model has not yet received every event the session store has seen (the projector's lag)"),
  })
  .meta({
    examples: [
      {
        ...EXAMPLE_SCOPE,
        sessionId: EXAMPLE_SESSION_ID,
        identifier: '1919102009383',
        status: 'revoked',
        currentGeneration: 2,
        generations: [
          {
            generation: 0,
            parentGeneration: null,
            mintedBy: '01a218e6-9252-7028-90b9-e2b6246988be',
            mintedAt: '2026-11-26T17:28:13.000Z',
            spentBy: '01a218e7-0000-7000-8000-000000000001',
            spentAt: '2026-11-26T18:20:00.000Z',
            replayedBy: '01a218e9-0000-7000-8000-000000000003',
          },
        ],
        incidents: [
          {
            eventId: '01a218e9-0000-7000-8000-000000000003',
            occurredAt: '2026-11-26T20:00:00.000Z',
            replayedGeneration: 0,
            currentGeneration: 2,
            spentAt: '2026-11-26T18:20:00.000Z',
            sinceSpentMs: 6_000_000,
            request: { userAgent: 'Mozilla/5.0', ip: '203.0.113.7' },
          },
        ],
        revocation: { eventId: '01a218e9-0000-7000-8000-000000000004', occurredAt: '2026-11-26T20:00:00.000Z', reason: 'refresh-token-reuse' },
        complete: true,
      },
    ],
  });
export type SessionLineageResponse = z.infer<typeof sessionLineageSchema>;

/** Incidents listed per answer, each with its blast radius. */
export const MAX_REUSE_INCIDENTS = 100;
/** Events listed per blast radius (all are counted). */
export const MAX_BLAST_RADIUS_EVENTS = 500;

/** `GET /v1/analytics/reuse-incidents`: a tag's reuse incidents over time, the newest with their blast radius. */
export const reuseIncidentsQuerySchema = tagDashboardQuerySchema
  .extend({
    limit: z.coerce.number().int().min(1).max(MAX_REUSE_INCIDENTS).default(20).describe('Incidents listed, newest first (20, at most 100)'),
    maxEvents: z.coerce
      .number()
      .int()
      .min(0)
      .max(MAX_BLAST_RADIUS_EVENTS)
      .default(100)
      .describe('Events listed per blast radius (100, at most 500); all are counted'),
  })
  .strict()
  .meta({ examples: [{ product: 'my-product-tag', tag: 'session-tag', from: '2026-11-20', to: '2026-11-26' }] });
export type ReuseIncidentsParams = z.infer<typeof reuseIncidentsQuerySchema>;

const nonNegative = z.int().min(0);

export const blastRadiusSchema = z.object({
  rotationEventId: z.uuid().nullable().describe('The rotation that spent the replayed token; null when the read model does not hold it'),
  from: instant.nullable(),
  to: instant.describe('The revocation'),
  eventCount: nonNegative.describe('Events recorded on the session after that rotation and before the revocation'),
  events: z.array(
    z.object({
      id: z.uuid(),
      type: z.string(),
      occurredAt: instant,
      name: z.string().nullable().describe("An activity record's name; null for lifecycle events"),
      status: z.string().nullable(),
    }),
  ),
  truncated: z.boolean(),
});

export const reuseIncidentsSchema = z
  .object({
    interval: z.enum(['hour', 'day']),
    tz: z.string(),
    totals: z.object({ incidents: nonNegative, sessions: nonNegative, users: nonNegative }),
    series: z.array(z.object({ at: instant, incidents: nonNegative, sessions: nonNegative })),
    incidents: z.array(
      z.object({
        eventId: z.uuid(),
        occurredAt: instant,
        env: z.string(),
        identifier: z.string(),
        sessionId: z.uuid(),
        replayedGeneration: generation,
        currentGeneration: generation,
        sinceSpentMs: z.number().nullable(),
        blastRadius: blastRadiusSchema,
      }),
    ),
  })
  .meta({
    examples: [
      {
        interval: 'day',
        tz: 'UTC',
        totals: { incidents: 1, sessions: 1, users: 1 },
        series: [{ at: '2026-11-26T00:00:00.000Z', incidents: 1, sessions: 1 }],
        incidents: [
          {
            eventId: '01a218e9-0000-7000-8000-000000000003',
            occurredAt: '2026-11-26T20:00:00.000Z',
            env: 'snd',
            identifier: '1919102009383',
            sessionId: EXAMPLE_SESSION_ID,
            replayedGeneration: 0,
            currentGeneration: 2,
            sinceSpentMs: 6_000_000,
            blastRadius: {
              rotationEventId: '01a218e7-0000-7000-8000-000000000001',
              from: '2026-11-26T18:20:00.000Z',
              to: '2026-11-26T20:00:00.000Z',
              eventCount: 1,
              events: [
                {
                  id: '01a218e8-0000-7000-8000-000000000002',
                  type: 'SessionActivityRecorded',
                  occurredAt: '2026-11-26T19:00:00.000Z',
                  name: 'POST /transfer',
                  status: 'success',
                },
              ],
              truncated: false,
            },
          },
        ],
      },
    ],
  });
export type ReuseIncidentsResponse = z.infer<typeof reuseIncidentsSchema>;
