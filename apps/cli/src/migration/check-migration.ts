import { ClickHouseClient } from '@clickhouse/client';
import { EventEnvelope } from '@waymark/domain';
import { KafkaEventLog } from '@waymark/event-log';
import { PersonalDataCodec } from '@waymark/privacy';
import { SqliteConnection } from '@waymark/sqlite';

export interface MigrationCheck {
  ok: boolean;
  /** Events in the embedded log. */
  logEvents: number;
  /** Records in the topic (a resumed run may have sent one batch twice). */
  kafkaRecords: number;
  /** Distinct event ids in ClickHouse's events table. */
  readModelEvents: number;
  /** Events the replay left out (erased users' events; envelopes no projection reads). */
  replaySkipped: number;
  /** Sessions whose events were compared one by one, and those that differed. */
  sampledSessions: number;
  differingSessions: string[];
  problems: string[];
}

/**
 * What says the move is whole: every event of the log is in the topic; the read model
 * holds every event the replay did not leave out; and for a random sample of sessions,
 * the read model holds every one of the log's events of that session (those of erased
 * users excepted: their keys are gone, so they decode to nothing and are never
 * projected). "At least": once the distributed service runs, its own new events join
 * the topic and the read model, and a later check (a re-run) must still pass.
 */
export async function checkMigration(
  db: SqliteConnection,
  kafka: KafkaEventLog,
  clickhouse: ClickHouseClient,
  codec: PersonalDataCodec,
  replaySkipped: number,
  sampleSize: number,
): Promise<MigrationCheck> {
  const problems: string[] = [];
  const logEvents = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
  const kafkaRecords = (await kafka.describeLag(`waymark-migrate-check-${Date.now()}`)).total;
  if (kafkaRecords < logEvents) problems.push(`the topic holds ${kafkaRecords} records for ${logEvents} events in the log`);
  const counted = await clickhouse.query({ query: 'SELECT uniqExact(event_id) AS n FROM events', format: 'JSONEachRow' });
  const readModelEvents = Number((await counted.json<{ n: string }>())[0]?.n ?? 0);
  if (readModelEvents < logEvents - replaySkipped) {
    problems.push(`the read model holds ${readModelEvents} events; the log has ${logEvents}, of which the replay left out ${replaySkipped}`);
  }

  const sample = db.prepare('SELECT session_id FROM sessions ORDER BY random() LIMIT ?').pluck().all(sampleSize) as string[];
  const expected = new Map<string, Set<string>>(sample.map((id) => [id, new Set<string>()]));
  // One pass over the log for the whole sample: the log has no index by session.
  const scan = db.prepare("SELECT body FROM events WHERE json_extract(body, '$.sessionId') IN (SELECT value FROM json_each(?))").pluck();
  const stored = (scan.all(JSON.stringify(sample)) as string[]).map((body) => JSON.parse(body) as EventEnvelope);
  await codec.prepareDecode(stored);
  for (const event of stored) if (codec.decode(event)) expected.get(event.sessionId)?.add(event.id);

  const differingSessions: string[] = [];
  for (const [sessionId, ids] of expected) {
    const result = await clickhouse.query({
      query: 'SELECT DISTINCT toString(event_id) AS id FROM events WHERE session_id = {sessionId:UUID}',
      query_params: { sessionId },
      format: 'JSONEachRow',
    });
    const found = new Set((await result.json<{ id: string }>()).map((row) => row.id));
    if ([...ids].some((id) => !found.has(id))) differingSessions.push(sessionId);
  }
  if (differingSessions.length > 0) problems.push(`${differingSessions.length} of ${sample.length} sampled sessions differ between the log and the read model`);
  return { ok: problems.length === 0, logEvents, kafkaRecords, readModelEvents, replaySkipped, sampledSessions: sample.length, differingSessions, problems };
}
