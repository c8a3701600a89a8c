import { ClickHouseClient } from '@clickhouse/client';
import { EventEnvelope, acceptEnvelope } from '@waymark/domain';
import { fromClickHouseDateTime } from '@waymark/read-model';

interface EventsRow {
  id: string;
  type: string;
  version: number;
  occurred_at: string;
  product: string;
  env: string;
  tag: string;
  identifier: string;
  session_id: string;
  data: string;
  meta: string;
}

export interface EnvelopesFound {
  events: Map<string, EventEnvelope>;
  /** Ids whose row no longer forms a valid envelope (it would be dead-lettered anyway). */
  unreadable: string[];
}

/**
 * Rebuilds envelopes from the read model's `events` rows, which keep every envelope
 * field (`data` and `meta` as the JSON the projector wrote, times to the millisecond),
 * so an envelope read back is the one that was logged.
 */
export async function readModelEnvelopes(clickhouse: ClickHouseClient, ids: readonly string[]): Promise<EnvelopesFound> {
  const result = await clickhouse.query({
    query: `SELECT toString(event_id) AS id, type, version, toString(occurred_at) AS occurred_at, product, env, tag, identifier,
                   toString(session_id) AS session_id, data, meta
            FROM events WHERE event_id IN {ids:Array(UUID)}
            LIMIT 1 BY event_id`,
    query_params: { ids },
    format: 'JSONEachRow',
  });
  const events = new Map<string, EventEnvelope>();
  const unreadable: string[] = [];
  for (const row of await result.json<EventsRow>()) {
    const envelope = acceptEnvelope({
      id: row.id,
      type: row.type,
      version: Number(row.version),
      occurredAt: fromClickHouseDateTime(row.occurred_at),
      product: row.product,
      env: row.env,
      tag: row.tag,
      identifier: row.identifier,
      sessionId: row.session_id,
      data: parseJson(row.data),
      meta: parseJson(row.meta),
    });
    if (envelope) events.set(row.id, envelope);
    else unreadable.push(row.id);
  }
  return { events, unreadable };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
