import { DeadLetter, LoggedRecord } from '@waymark/event-log';
import { EventsProjection, PreparedBatch, isolateRefusalsWithoutRetry, valueRefusalOf } from '@waymark/projection';
import { EventRow } from '@waymark/read-model';

/**
 * Inserts a replayed batch's rows (`prepared`, from `records`) under `dedupToken`, and
 * returns the events ClickHouse refused, each with its reason; none on the healthy path.
 *
 * ClickHouse refuses a whole INSERT for one value it cannot take (a lone UTF-16
 * surrogate, an impossible date), and refuses it again on every attempt: without this a
 * replay failed on such a batch, and failed again on every resume. On a value refusal
 * the batch is projected around the offenders exactly as the live projector does it
 * (`isolateRefusalsWithoutRetry`), among the records that became rows and that `covers`
 * keeps (a replay from Kafka writes only the rows in its scope). Any other failure is
 * thrown: the run fails and is resumed, as before.
 *
 * The refused events are not dead-lettered here: a replay writes no dead letters, as it
 * writes none for the envelopes it cannot read either (it counts them as skipped). The
 * live projector, reading the same log, dead-letters each of them once; a replay that
 * wrote them again would duplicate every dead letter on every replay.
 */
export async function insertReplayedBatch(
  projection: EventsProjection,
  records: readonly LoggedRecord[],
  prepared: PreparedBatch,
  dedupToken: string,
  covers: (row: EventRow) => boolean = () => true,
): Promise<DeadLetter[]> {
  try {
    await projection.insert(prepared, dedupToken);
    return [];
  } catch (error) {
    const refusal = valueRefusalOf(error);
    if (!refusal) throw error;
    // Which record each row came from is not kept on the healthy path: prepared again, one by one, only here.
    const checks = await projection.loadKeys(records);
    const candidates = records.filter((record, index) => {
      const { rows } = projection.prepare([record], checks && [checks[index]]);
      return rows.length === 1 && covers(rows[0]);
    });
    if (candidates.length === 0) throw error;
    return (await isolateRefusalsWithoutRetry(projection, candidates, dedupToken, refusal)).deadLetters;
  }
}
