import { EventEnvelope } from '@waymark/domain';
import { EventLogReader, KafkaEventLog } from '@waymark/event-log';
import { MigrationState } from './migration-state';

const BATCH = 1_000;

/**
 * Appends the embedded log to the Kafka topic in log order, each event as it is stored
 * (its id, its time, its subject in place of the identifier, its data sealed with the
 * user's key): the same records the distributed API would have produced. After each
 * batch Kafka acknowledged, the state is saved with the batch's last position, so an
 * interrupted run resumes after it; a crash between the acknowledgement and the save
 * sends that one batch again, and the read model keeps one row per event id.
 * `maxEvents` stops early (a test's crash, or moving a large log in several sittings).
 */
export async function copyEvents(
  reader: EventLogReader,
  kafka: KafkaEventLog,
  state: MigrationState,
  save: () => void,
  onProgress: (appended: number) => void,
  maxEvents = Number.POSITIVE_INFINITY,
): Promise<{ appended: number; done: boolean }> {
  let cursor: { from: string } | { after: string } | undefined;
  if (state.events.lastPosition !== null) cursor = { after: state.events.lastPosition };
  else {
    const start = await reader.resolveStart({ kind: 'beginning' });
    if (start !== undefined) cursor = { from: start };
  }
  let appendedNow = 0;
  while (cursor) {
    const records = await reader.read(cursor, Math.min(BATCH, maxEvents - appendedNow));
    if (records.length === 0) break;
    await kafka.append(records.map((record) => JSON.parse(record.raw) as EventEnvelope));
    const last = records[records.length - 1].position;
    state.events.lastPosition = last;
    state.events.appended += records.length;
    appendedNow += records.length;
    save();
    onProgress(state.events.appended);
    cursor = { after: last };
    if (appendedNow >= maxEvents) return { appended: appendedNow, done: false };
  }
  state.events.done = true;
  save();
  return { appended: appendedNow, done: true };
}
