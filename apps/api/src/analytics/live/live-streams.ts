import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { SessionCatalog } from '@waymark/domain';
import { CLICKHOUSE, QueryLimits } from '@waymark/read-model';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AnalyticsAccess, resolveScope } from '../analytics-access';
import { ANALYTICS_LIMITS } from '../analytics-limits';
import { LiveParams } from '@waymark/contract';
import { LiveEvent, LiveEventsReader, LivePosition } from './live-events.reader';

/** How often a stream asks the read model for what is new: the projector itself lingers ~250 ms. */
export const LIVE_POLL_MS = 1000;
/** What a new stream starts with: the newest events of the last hour. */
const BACKLOG_MS = 3_600_000;
const BACKLOG_EVENTS = 50;
const BATCH = 500;
/** A comment line now and then, so proxies keep an idle stream open. */
const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events of the newest events as they reach the read model. Each stream
 * polls with its own position in (occurred_at, event id) order, like the journey's
 * cursor, so nothing is sent twice; an event that reaches the read model later with an
 * earlier time than the position (a late report) is not sent, a new stream shows it.
 * Streams end when the client goes or the app closes (they would hold the server's close).
 */
@Injectable()
export class LiveStreams implements OnModuleDestroy {
  private readonly open = new Set<() => void>();
  private readonly reader: LiveEventsReader;
  private readonly logger = new Logger('live');

  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
    @Inject(ANALYTICS_LIMITS) limits: QueryLimits,
  ) {
    this.reader = new LiveEventsReader(clickhouse, limits);
  }

  /**
   * Validates the scope (problem+json while nothing is sent yet), then streams until
   * closed. A client that does not ask for `text/event-stream` (curl, a script) gets the
   * newest events once, as JSON, instead of a response that never ends.
   */
  async stream(params: LiveParams, access: AnalyticsAccess, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const scope = resolveScope(this.catalog, access, params.product, params.env, params.tag);
    const backlog = await this.reader.latest(scope, params.identifier, Date.now() - BACKLOG_MS, BACKLOG_EVENTS);
    if (!(request.headers.accept ?? '').includes('text/event-stream')) {
      void reply.header('content-type', 'application/json; charset=utf-8').send({ events: backlog });
      return;
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': String(request.id),
      'x-accel-buffering': 'no',
    });
    let position: LivePosition | undefined = positionOf(backlog) ?? { occurredAt: Date.now() - BACKLOG_MS, eventId: '' };
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    let lastWrite = Date.now();
    const send = (text: string) => {
      lastWrite = Date.now();
      raw.write(text);
    };
    const close = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      this.open.delete(close);
      raw.end();
    };
    this.open.add(close);
    request.raw.on('close', close);
    send(`event: ready\ndata: ${JSON.stringify({ pollMs: LIVE_POLL_MS })}\n\n`);
    if (backlog.length > 0) send(events(backlog));
    const poll = async () => {
      try {
        const fresh = await this.reader.after(scope, params.identifier, position!, BATCH);
        if (closed) return;
        if (fresh.length > 0) {
          position = positionOf(fresh);
          send(events(fresh));
        } else if (Date.now() - lastWrite > HEARTBEAT_MS) {
          send(': idle\n\n');
        }
      } catch (error) {
        // The store failing now and then (a timeout) must not end the stream; the next poll retries.
        this.logger.warn({ err: (error as Error).message }, 'live poll failed');
      }
      if (!closed) timer = setTimeout(() => void poll(), LIVE_POLL_MS);
    };
    timer = setTimeout(() => void poll(), LIVE_POLL_MS);
  }

  onModuleDestroy(): void {
    for (const close of [...this.open]) close();
  }
}

function positionOf(batch: LiveEvent[]): LivePosition | undefined {
  const last = batch[batch.length - 1];
  return last ? { occurredAt: Date.parse(last.occurredAt), eventId: last.id } : undefined;
}

function events(batch: LiveEvent[]): string {
  return `event: events\ndata: ${JSON.stringify(batch)}\n\n`;
}
