/**
 * The SDK's types are the API contract's (libs/contract): what a request takes is the
 * input of the schema that validates it, what an answer holds is the output of the
 * schema the OpenAPI document describes it with. Type-only imports: the SDK carries no
 * schema code. A field added to a contract schema reaches the SDK with no edit here.
 */
import type {
  activityRecordSchema,
  extendSessionResponseSchema,
  recordActivityResponseSchema,
  replayCancelSchema,
  revokeSessionsResponseSchema,
  specDeletedSchema,
  specListSchema,
  createSpecBodySchema,
  extendSessionBodySchema,
  getJourneyQuerySchema,
  journeySchema,
  listActiveQuerySchema,
  listActiveResponseSchema,
  problemSchema,
  refreshSessionBodySchema,
  replayProgressSchema,
  replayStartedSchema,
  revokeSessionsBodySchema,
  sessionTokensSchema,
  specViewSchema,
  startReplayBodySchema,
  startSessionBodySchema,
  verifySessionBodySchema,
  verifySessionResponseSchema,
  eraseUserBodySchema,
  erasureReceiptSchema,
  exportUserQuerySchema,
  exportLineSchema,
  sessionLineageQuerySchema,
  sessionLineageSchema,
  reuseIncidentsQuerySchema,
  reuseIncidentsSchema,
} from '@waymark/contract';
import type { z } from 'zod';

export type StartSessionInput = z.input<typeof startSessionBodySchema>;

/** Where a session lives: every session method names it. */
export type SessionScope = Pick<StartSessionInput, 'product' | 'env' | 'tag'>;

export type SessionTokens = z.output<typeof sessionTokensSchema>;

export type VerifyInput = z.input<typeof verifySessionBodySchema>;
export type VerifyResult = z.output<typeof verifySessionResponseSchema>;

export type RefreshInput = z.input<typeof refreshSessionBodySchema>;

type RevokeBody = z.input<typeof revokeSessionsBodySchema>;
/** One session by id, or a user's sessions (but one): the body's one-of, as a type. */
export type RevokeInput = SessionScope &
  (
    { sessionId: NonNullable<RevokeBody['sessionId']> } | { identifier: NonNullable<RevokeBody['identifier']>; exceptSessionId?: RevokeBody['exceptSessionId'] }
  );

/** Page numbers travel in the query string; the SDK takes them as numbers. */
export type ListActiveInput = Omit<z.input<typeof listActiveQuerySchema>, 'page' | 'pageSize'> & { page?: number; pageSize?: number };
export type RevokeResult = z.output<typeof revokeSessionsResponseSchema>;

export type ListActiveResult = z.output<typeof listActiveResponseSchema>;

export type ExtendInput = z.input<typeof extendSessionBodySchema>;
export type ExtendResult = z.output<typeof extendSessionResponseSchema>;
export type Duration = NonNullable<ExtendInput['by']>;
export type DurationUnit = Duration['unit'];

export type ActivityRecord = z.input<typeof activityRecordSchema>;

export interface TrackInput extends SessionScope {
  token: string;
  /** One record, or up to 500 (sent as `record` or `records`). */
  records: ActivityRecord | ActivityRecord[];
}

export type TrackResult = z.output<typeof recordActivityResponseSchema>;

export type SessionSpecInput = z.input<typeof createSpecBodySchema>;
export type StoredSessionSpec = z.output<typeof specViewSchema>;
export type SpecList = z.output<typeof specListSchema>;
export type SpecDeleted = z.output<typeof specDeletedSchema>;

export type JourneyInput = Omit<z.input<typeof getJourneyQuerySchema>, 'limit'> & { limit?: number };
export type Journey = z.output<typeof journeySchema>;

/** RFC 9457 problem details as Waymark answers them. */
export type Problem = z.output<typeof problemSchema>;

export type StartReplayInput = z.input<typeof startReplayBodySchema>;
export type ReplayProgress = z.output<typeof replayProgressSchema>;
export type ReplayStarted = z.output<typeof replayStartedSchema>;
export type ReplayCancel = z.output<typeof replayCancelSchema>;

export type EraseUserInput = z.input<typeof eraseUserBodySchema>;
export type ErasureReceipt = z.output<typeof erasureReceiptSchema>;
export type ExportUserInput = z.input<typeof exportUserQuerySchema>;
/** One line of an export: `export` first, then `session` and `event` lines, `end` last. */
export type UserExportLine = z.output<typeof exportLineSchema>;

/** A session's token family (docs/token-lineage.md): its scope and id. */
export type SessionLineageInput = z.input<typeof sessionLineageQuerySchema> & { sessionId: string };
export type SessionLineage = z.output<typeof sessionLineageSchema>;

export type ReuseIncidentsInput = z.input<typeof reuseIncidentsQuerySchema>;
export type ReuseIncidents = z.output<typeof reuseIncidentsSchema>;
