import { HttpTransport, TransportOptions } from './http-transport';
import {
  ExtendInput,
  ExtendResult,
  RefreshInput,
  ReplayCancel,
  RevokeResult,
  SpecDeleted,
  SpecList,
  StartReplayInput,
  TrackResult,
  VerifyInput,
  Journey,
  JourneyInput,
  ListActiveInput,
  ListActiveResult,
  ReplayProgress,
  ReplayStarted,
  RevokeInput,
  SessionSpecInput,
  SessionTokens,
  StartSessionInput,
  StoredSessionSpec,
  TrackInput,
  VerifyResult,
  EraseUserInput,
  ErasureReceipt,
  ExportUserInput,
  UserExportLine,
  SessionLineageInput,
  SessionLineage,
  ReuseIncidentsInput,
  ReuseIncidents,
} from './types';

/** The session methods, as in the seed's `ductape.processor.sessions`. Secret key. */
export class SessionsApi {
  constructor(private readonly http: HttpTransport) {}

  start(input: StartSessionInput): Promise<SessionTokens> {
    return this.http.request('POST', '/v1/sessions', input);
  }

  /**
   * Whether a token is good now. `maxAgeSeconds` refuses (`reason: 'stale'`) a session
   * started longer ago (re-authentication before sensitive operations); the answer's
   * `authTime` is the session's start. `idle` and `absolute` are the spec's timeouts.
   */
  verify(input: VerifyInput): Promise<VerifyResult> {
    return this.http.request('POST', '/v1/sessions/verify', input);
  }

  refresh(input: RefreshInput): Promise<SessionTokens> {
    return this.http.request('POST', '/v1/sessions/refresh', input);
  }

  revoke(input: RevokeInput): Promise<RevokeResult> {
    return this.http.request('POST', '/v1/sessions/revoke', input);
  }

  listActive(input: ListActiveInput): Promise<ListActiveResult> {
    const { product, env, tag, identifier, page, pageSize } = input;
    return this.http.request('GET', '/v1/sessions/active', undefined, { product, env, tag, identifier, page, pageSize });
  }

  extend(input: ExtendInput): Promise<ExtendResult> {
    return this.http.request('POST', '/v1/sessions/extend', input);
  }

  /** The session's refresh-token family: rotations and parents, reuse incidents, the revocation. Secret or admin key. */
  lineage(input: SessionLineageInput): Promise<SessionLineage> {
    const { product, env, tag, sessionId } = input;
    return this.http.request('GET', `/v1/sessions/${encodeURIComponent(sessionId)}/lineage`, undefined, { product, env, tag });
  }

  /** Records calls made on the session's behalf (one record or up to 500). */
  track(input: TrackInput): Promise<TrackResult> {
    const { records, ...rest } = input;
    return this.http.request('POST', '/v1/sessions/activity', Array.isArray(records) ? { ...rest, records } : { ...rest, record: records });
  }
}

/** Session specs of a product. Admin key. */
export class SpecsApi {
  constructor(private readonly http: HttpTransport) {}

  list(product: string): Promise<SpecList> {
    return this.http.request('GET', `/v1/products/${encodeURIComponent(product)}/session-specs`);
  }

  get(product: string, tag: string): Promise<StoredSessionSpec> {
    return this.http.request('GET', `/v1/products/${encodeURIComponent(product)}/session-specs/${encodeURIComponent(tag)}`);
  }

  create(product: string, spec: SessionSpecInput): Promise<StoredSessionSpec> {
    return this.http.request('POST', `/v1/products/${encodeURIComponent(product)}/session-specs`, spec);
  }

  /** With `expectedRevision`, refused (409) if someone changed the spec since. */
  update(product: string, spec: SessionSpecInput, expectedRevision?: number): Promise<StoredSessionSpec> {
    const headers: Record<string, string> = expectedRevision === undefined ? {} : { 'if-match': `"${expectedRevision}"` };
    return this.http.request('PUT', `/v1/products/${encodeURIComponent(product)}/session-specs/${encodeURIComponent(spec.tag)}`, spec, undefined, headers);
  }

  delete(product: string, tag: string): Promise<SpecDeleted> {
    return this.http.request('DELETE', `/v1/products/${encodeURIComponent(product)}/session-specs/${encodeURIComponent(tag)}`);
  }
}

/** Journeys. Read key. */
export class JourneysApi {
  constructor(private readonly http: HttpTransport) {}

  get(input: JourneyInput): Promise<Journey> {
    const { product, env, tag, identifier, limit } = input;
    return this.http.request('GET', '/v1/journeys', undefined, { product, env, tag, identifier, limit });
  }
}

/** Replays of the read model (admin key). */
export class ReplaysApi {
  constructor(private readonly http: HttpTransport) {}

  /** `from`: `beginning`, an ISO-8601 time, or `position:<n>`. */
  start(input: StartReplayInput): Promise<ReplayStarted> {
    return this.http.request('POST', '/v1/admin/replays', input);
  }

  get(id: string): Promise<ReplayProgress> {
    return this.http.request('GET', `/v1/admin/replays/${encodeURIComponent(id)}`);
  }

  cancel(id: string): Promise<ReplayCancel> {
    return this.http.request('POST', `/v1/admin/replays/${encodeURIComponent(id)}/cancel`);
  }

  resume(id: string): Promise<ReplayProgress> {
    return this.http.request('POST', `/v1/admin/replays/${encodeURIComponent(id)}/resume`);
  }
}

/** One user's data (docs/privacy.md): erase (admin key), export (read key). */
export class UsersApi {
  constructor(private readonly http: HttpTransport) {}

  /** Idempotent: after a failure (a 503 says so with Retry-After), the same call again finishes the erasure. */
  erase(input: EraseUserInput): Promise<ErasureReceipt> {
    return this.http.request('POST', '/v1/users/erase', input);
  }

  /** The user's sessions and events, line by line as they arrive (`export` first, `end` last). */
  export(input: ExportUserInput): AsyncGenerator<UserExportLine> {
    return this.http.lines<UserExportLine>('/v1/users/export', { product: input.product, identifier: input.identifier });
  }
}

/** Analytics over the read model (read key). */
export class AnalyticsApi {
  constructor(private readonly http: HttpTransport) {}

  /** A tag's refresh-token reuse incidents per bucket, the newest with their blast radius (docs/token-lineage.md). */
  reuseIncidents(input: ReuseIncidentsInput): Promise<ReuseIncidents> {
    const { product, env, tag, tz, from, to, interval } = input;
    // The contract coerces numbers from the query string, so its input type for them is `unknown`.
    const [limit, maxEvents] = [input.limit, input.maxEvents] as Array<number | undefined>;
    return this.http.request('GET', '/v1/analytics/reuse-incidents', undefined, { product, env, tag, tz, from, to, interval, limit, maxEvents });
  }
}

/**
 * A typed client for Waymark's HTTP API.
 *
 * ```ts
 * const waymark = new WaymarkClient({ baseUrl: 'http://localhost:3000', apiKey: process.env.WAYMARK_API_KEY });
 * const { token, refreshToken } = await waymark.sessions.start({ product, env, tag, data });
 * ```
 */
export class WaymarkClient {
  readonly sessions: SessionsApi;
  readonly specs: SpecsApi;
  readonly journeys: JourneysApi;
  readonly replays: ReplaysApi;
  readonly users: UsersApi;
  readonly analytics: AnalyticsApi;

  constructor(options: TransportOptions) {
    const http = new HttpTransport(options);
    this.sessions = new SessionsApi(http);
    this.specs = new SpecsApi(http);
    this.journeys = new JourneysApi(http);
    this.replays = new ReplaysApi(http);
    this.users = new UsersApi(http);
    this.analytics = new AnalyticsApi(http);
  }
}
