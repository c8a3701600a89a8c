import { ClickHouseClient } from '@clickhouse/client';
import { ACTIVITY, AnalyticsScope, QueryLimits, clickHouseTime, isoOf, runQuery } from '@waymark/read-model';

/** One event as the live view shows it: no data, only what names it. */
export interface LiveEvent {
  id: string;
  type: string;
  occurredAt: string;
  env: string;
  identifier: string;
  sessionId: string;
  /** Activity records only. */
  name?: string;
  status?: string;
}

/** A position in (occurred_at, event id) order, as the journey's cursor. */
export interface LivePosition {
  occurredAt: number;
  eventId: string;
}

interface Row {
  id: string;
  type: string;
  occurred_at: string;
  env: string;
  identifier: string;
  session_id: string;
  step: string;
  status: string;
}

/**
 * Reads the newest events of a tag (or one user) from `events`. The projector appends in
 * time order and `events` is partitioned by month with per-part min/max of occurred_at,
 * so a bound close to now skips all but the newest parts; `LIMIT 1 BY` drops duplicates
 * not yet merged, like every other reader.
 */
export class LiveEventsReader {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly limits: QueryLimits,
  ) {}

  /** The last `limit` events since `since`, oldest first. */
  async latest(scope: AnalyticsScope, identifier: string | undefined, since: number, limit: number): Promise<LiveEvent[]> {
    const rows = await this.read(scope, identifier, `occurred_at >= {since:DateTime64(3, 'UTC')}`, { since: clickHouseTime(since) }, 'DESC', limit);
    return rows.reverse();
  }

  /** Events after a position, oldest first. */
  async after(scope: AnalyticsScope, identifier: string | undefined, position: LivePosition, limit: number): Promise<LiveEvent[]> {
    return this.read(
      scope,
      identifier,
      `occurred_at >= {afterAt:DateTime64(3, 'UTC')} AND (occurred_at, toString(event_id)) > ({afterAt:DateTime64(3, 'UTC')}, {afterId:String})`,
      { afterAt: clickHouseTime(position.occurredAt), afterId: position.eventId },
      'ASC',
      limit,
    );
  }

  private async read(
    scope: AnalyticsScope,
    identifier: string | undefined,
    where: string,
    params: Record<string, unknown>,
    order: 'ASC' | 'DESC',
    limit: number,
  ): Promise<LiveEvent[]> {
    const rows = await runQuery<Row>(
      this.client,
      `SELECT toString(event_id) AS id, type, occurred_at, env, identifier, toString(session_id) AS session_id, step, status
       FROM events
       WHERE product = {product:String} AND tag = {tag:String} AND env IN {envs:Array(String)} AND identifier != ''
         ${identifier !== undefined ? 'AND identifier = {identifier:String}' : ''}
         AND ${where}
       ORDER BY occurred_at ${order}, id ${order}
       LIMIT 1 BY id
       LIMIT {limit:UInt32}`,
      { product: scope.product, tag: scope.tag, envs: [...scope.envs], identifier: identifier ?? '', limit, ...params },
      this.limits,
    );
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      occurredAt: isoOf(row.occurred_at)!,
      env: row.env,
      identifier: row.identifier,
      sessionId: row.session_id,
      ...(row.type === ACTIVITY ? { name: row.step, status: row.status } : {}),
    }));
  }
}
