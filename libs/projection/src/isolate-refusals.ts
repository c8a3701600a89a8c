import { LoggedRecord } from '@waymark/event-log';
import { EventsProjection } from './events.projection';
import { ValueRefusal, valueRefusalOf } from './insert-refusal';
import { IsolationResult, PROBES_UNAVAILABLE, PieceOutcome, projectAroundRefusals } from './poison-bisection';

/**
 * The projector's poison isolation (`projectAroundRefusals`: probes find the events
 * ClickHouse refuses, the rest goes in under derived dedup tokens) for a writer that
 * retries nothing itself: a replay, whose run fails on any other error and is resumed
 * from its journal. A value refusal is an answer, as in the projector; any other failure
 * of a probe falls back to real inserts (PROBES_UNAVAILABLE), and any other failure of
 * a real insert is thrown. `refusal` is ClickHouse's answer to the whole of `records`.
 */
export function isolateRefusalsWithoutRetry(
  projection: EventsProjection,
  records: readonly LoggedRecord[],
  batchToken: string,
  refusal: ValueRefusal,
): Promise<IsolationResult> {
  const answerOf = (error: unknown, otherwise: unknown): PieceOutcome => {
    const refused = valueRefusalOf(error);
    if (refused) return { refused };
    throw otherwise;
  };
  return projectAroundRefusals(
    records,
    batchToken,
    refusal,
    async (piece) => {
      try {
        return { inserted: await projection.probe(piece) };
      } catch (error) {
        return answerOf(error, PROBES_UNAVAILABLE);
      }
    },
    async (piece, token) => {
      try {
        return { inserted: await projection.project(piece, token) };
      } catch (error) {
        return answerOf(error, error);
      }
    },
  );
}
