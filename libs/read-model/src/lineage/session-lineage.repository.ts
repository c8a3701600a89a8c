import { ClickHouseClient } from '@clickhouse/client';
import { fromClickHouseDateTime } from '../event-rows';
import { LINEAGE_EVENT_TYPES, LineageEvent, SessionLineage, buildLineage } from './session-lineage';

/** A session named in full: the events table's sort key (product, env, tag, identifier) and its id. */
export interface SessionKey {
  product: string;
  env: string;
  tag: string;
  identifier: string;
  sessionId: string;
}

interface Row {
  id: string;
  type: string;
  occurred_at: string;
  data: string;
}

/**
 * Reads a session's lifecycle events from the read model and builds its token family.
 * The lookup uses the events table's sort key (the user's rows are contiguous), so it
 * reads a few granules however large the table; `LIMIT 1 BY event_id` keeps an event
 * projected twice from counting twice before ClickHouse merges it away.
 */
export class SessionLineageRepository {
  constructor(private readonly client: ClickHouseClient) {}

  async find(key: SessionKey): Promise<SessionLineage & { eventCount: number }> {
    const result = await this.client.query({
      query: `SELECT toString(event_id) AS id, type, occurred_at, data
              FROM events
              WHERE product = {product:String} AND env = {env:String} AND tag = {tag:String}
                AND identifier = {identifier:String} AND session_id = {sessionId:UUID}
                AND type IN {types:Array(String)}
              ORDER BY occurred_at, event_id
              LIMIT 1 BY event_id`,
      query_params: { ...key, types: [...LINEAGE_EVENT_TYPES] },
      format: 'JSONEachRow',
    });
    const events: LineageEvent[] = (await result.json<Row>()).map((row) => ({
      id: row.id,
      type: row.type,
      occurredAt: fromClickHouseDateTime(row.occurred_at),
      data: JSON.parse(row.data) as Record<string, unknown>,
    }));
    return { ...buildLineage(events), eventCount: events.length };
  }

  /**
   * The user of a session the session store no longer holds (a distributed store lets
   * ended sessions expire), from the `sessions` table: one row per session, so this
   * reads the tag's session ids, not its events. Undefined when the read model has none.
   */
  async identifierOf(scope: { product: string; env: string; tag: string }, sessionId: string): Promise<string | undefined> {
    const result = await this.client.query({
      query: `SELECT identifier FROM sessions
              WHERE product = {product:String} AND env = {env:String} AND tag = {tag:String} AND session_id = {sessionId:UUID}
              LIMIT 1`,
      query_params: { ...scope, sessionId },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ identifier: string }>();
    return row?.identifier;
  }
}
