import { Inject, Injectable, Type } from '@nestjs/common';
import { Query, QueryHandler } from '@nestjs/cqrs';
import { Clock, SessionCatalog } from '@waymark/domain';
import { AnalyticsScope, TimeRange, UserKey } from '@waymark/read-model';
import { CLOCK } from '../shared/domain.providers';
import { AnalyticsAccess, resolveScope } from './analytics-access';
import { resolveTimeRange } from './time-range';

/** The fields every analytics query names its scope and range with (`env` is optional on the tag-wide views). */
export interface ScopedParams {
  product: string;
  env?: string;
  tag: string;
  tz: string;
  from?: string;
  to?: string;
}

/** The key's access checked, the scope resolved, and the instant the query runs at. */
export interface ScopedRequest {
  scope: AnalyticsScope;
  now: number;
}

/** A range given alone is completed with all of time (100 years). */
const ALL_OF_TIME_DAYS = 36_500;

/**
 * What every analytics query starts with, in this order: the scope (422 for an unknown
 * product or env, 403 for an env the key may not read), the clock, then the time range
 * (422 for a bad bound). The handlers only add what their repository needs.
 */
@Injectable()
export class AnalyticsRequests {
  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  scoped(params: ScopedParams, access: AnalyticsAccess): ScopedRequest {
    const scope = resolveScope(this.catalog, access, params.product, params.env, params.tag);
    return { scope, now: this.clock() };
  }

  /** With a range: `from`/`to` as given, else the `defaultDays` up to now. */
  ranged(params: ScopedParams, access: AnalyticsAccess, defaultDays: number): ScopedRequest & { range: TimeRange } {
    const request = this.scoped(params, access);
    return { ...request, range: resolveTimeRange(params, params.tz, request.now, defaultDays) };
  }

  /** With a range only when a bound is given: no range means all of time. */
  openRanged(params: ScopedParams, access: AnalyticsAccess): ScopedRequest & { range: TimeRange | undefined } {
    const request = this.scoped(params, access);
    const bounded = params.from !== undefined || params.to !== undefined;
    return { ...request, range: bounded ? resolveTimeRange(params, params.tz, request.now, ALL_OF_TIME_DAYS) : undefined };
  }
}

/** The one user a user view reads (its env is required). */
export function userKeyOf(params: { product: string; env: string; tag: string; identifier: string }): UserKey {
  return { product: params.product, env: params.env, tag: params.tag, identifier: params.identifier };
}

/**
 * The query handler of an analytics view whose work is "resolve the request, ask one
 * reader": `answer` gets the reader (a provider of AnalyticsModule, injected), the query
 * and AnalyticsRequests, and is all a view adds. The class is registered like any
 * `@QueryHandler` (list it in the module's providers).
 */
export function analyticsHandler<R, Q extends Query<R>, Reader>(
  query: Type<Q>,
  reader: Type<Reader>,
  answer: (reader: Reader, query: Q, requests: AnalyticsRequests) => Promise<R>,
): Type<{ execute(query: Q): Promise<R> }> {
  @QueryHandler(query)
  class AnalyticsViewHandler {
    constructor(
      @Inject(AnalyticsRequests) private readonly requests: AnalyticsRequests,
      @Inject(reader) private readonly reader: Reader,
    ) {}

    execute(message: Q): Promise<R> {
      return answer(this.reader, message, this.requests);
    }
  }
  // Named after its query for Nest's logs and errors (GetFunnelQuery → GetFunnelHandler).
  Object.defineProperty(AnalyticsViewHandler, 'name', { value: query.name.replace(/Query$/, 'Handler') });
  return AnalyticsViewHandler;
}
