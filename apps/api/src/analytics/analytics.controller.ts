import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  AnalyticsScopeList,
  analyticsScopeSchema,
  DrillUsers,
  drillUsersSchema,
  Funnel,
  funnelSchema,
  FunnelUsersParams,
  funnelUsersQuerySchema,
  liveEventsSchema,
  LiveParams,
  liveQuerySchema,
  liveStreamSchema,
  pathsSchema,
  Retention,
  retentionSchema,
  ReuseIncidentsParams,
  reuseIncidentsQuerySchema,
  ReuseIncidentsResponse,
  reuseIncidentsSchema,
  StepNames,
  StepNamesParams,
  stepNamesQuerySchema,
  stepNamesSchema,
  StepUsersParams,
  stepUsersQuerySchema,
  TagDashboard,
  tagDashboardSchema,
  UserDashboard,
  userDashboardSchema,
  UserJourneyPage,
  userJourneyPageSchema,
  UserList,
  userListSchema,
  UserProfile,
  userProfileSchema,
} from '@waymark/contract';
// The read model types `anchor` as possibly undefined (it is null or set): the contract's Paths is stricter, so the read model's is named here.
import { Paths } from '@waymark/read-model';
import { FastifyReply } from 'fastify';
import { AuthenticatedRequest } from '../auth/api-key.guard';
import { RequireRole } from '../auth/require-role.decorator';
import { ApiErrorCode, ApiOperation } from '../openapi/api-operation.decorator';
import { AnalyticsAccess, accessOf } from './analytics-access';
import {
  FunnelParams,
  ListUsersParams,
  PathsParams,
  RetentionParams,
  TagDashboardParams,
  UserDashboardParams,
  UserJourneyParams,
  UserProfileParams,
  encodeCursor,
  funnelQuerySchema,
  listUsersQuerySchema,
  pathsQuerySchema,
  retentionQuerySchema,
  scopeQuerySchema,
  tagDashboardQuerySchema,
  userDashboardQuerySchema,
  userJourneyQuerySchema,
  userProfileQuerySchema,
} from './analytics.dto';
import { GetFunnelQuery } from './queries/get-funnel/get-funnel.query';
import { GetPathsQuery } from './queries/get-paths/get-paths.query';
import { GetRetentionQuery } from './queries/get-retention/get-retention.query';
import { GetReuseIncidentsQuery } from './queries/get-reuse-incidents/get-reuse-incidents.query';
import { GetTagDashboardQuery } from './queries/get-tag-dashboard/get-tag-dashboard.query';
import { GetUserDashboardQuery } from './queries/get-user-dashboard/get-user-dashboard.query';
import { GetUserJourneyQuery } from './queries/get-user-journey/get-user-journey.query';
import { GetUserProfileQuery } from './queries/get-user-profile/get-user-profile.query';
import { ListUsersQuery } from './queries/list-users/list-users.query';
import { GetAnalyticsScopeQuery } from './queries/get-analytics-scope/get-analytics-scope.query';
import { LiveStreams } from './live/live-streams';
import { ListDrillUsersQuery, ListStepNamesQuery } from './drill/list-drill-users.query';

export { scopeQuerySchema };

/** Every analytics read names a product (and maybe an env) the catalog must know. */
const SCOPE_ERRORS: ApiErrorCode[] = ['PRODUCT_NOT_FOUND', 'ENV_NOT_FOUND'];

/** What the guard left on the request: it runs before every `read` route. */
function access(request: AuthenticatedRequest): AnalyticsAccess {
  return accessOf(request.principal!);
}

/** Analysts' reads over the ClickHouse read model (read keys). */
@Controller('v1/analytics')
@RequireRole('read')
export class AnalyticsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly live: LiveStreams,
  ) {}

  @Get('scope')
  @ApiOperation({
    operationId: 'getAnalyticsScope',
    tag: 'analytics',
    summary: 'What this key may read: products, their envs within the key, and session tags (names only)',
    description:
      "For pickers such as the console's: listing session specs themselves needs the admin role. " +
      '`openDevelopment` is true when the API accepts calls without a key.',
    query: scopeQuerySchema,
    responses: { 200: { description: 'Products, envs and tags', schema: analyticsScopeSchema } },
    errors: [],
  })
  scope(@Query() _params: object, @Req() request: AuthenticatedRequest): Promise<AnalyticsScopeList> {
    return this.queries.execute(new GetAnalyticsScopeQuery(request.principal!));
  }

  /** Server-sent events: `ready`, then `events` batches (oldest first) as the read model gets them. */
  @Get('live')
  @ApiOperation({
    operationId: 'streamLiveEvents',
    tag: 'analytics',
    summary: 'The newest events of a tag, or of one user (identifier with env), as the read model gets them',
    description:
      'With `Accept: text/event-stream`: server-sent events, `ready` first, then `events` (a JSON array, ' +
      "oldest first: the last hour's newest 50, then each new batch as it is projected; polled every " +
      "second). Otherwise the newest events once, as JSON. `identifier` needs `env`. The key's product and " +
      'envs scope it like every analytics read; an event reported late with an earlier time than those ' +
      'already sent is not sent.',
    query: liveQuerySchema,
    responses: {
      200: {
        description: 'A stream of events (text/event-stream), or the newest events once (application/json)',
        schema: liveEventsSchema,
        alternatives: { 'text/event-stream': liveStreamSchema },
      },
    },
    errors: [...SCOPE_ERRORS],
  })
  stream(@Query() params: LiveParams, @Req() request: AuthenticatedRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.live.stream(params, access(request), request, reply);
  }

  @Get('users')
  @ApiOperation({
    operationId: 'listUsers',
    tag: 'analytics',
    summary: 'Users of a tag: identifiers with first and last seen, sessions and status, paged and searchable',
    description:
      'Status at the time of the request: active (a session is live), inactive (none live, the latest was ' +
      'revoked), expired (none live, the latest ran past its end). With from/to: users seen within the ' +
      'range.',
    query: listUsersQuerySchema,
    responses: { 200: { description: 'A page of users', schema: userListSchema } },
    errors: [...SCOPE_ERRORS],
  })
  users(@Query() params: ListUsersParams, @Req() request: AuthenticatedRequest): Promise<UserList> {
    return this.queries.execute(new ListUsersQuery(params, access(request)));
  }

  @Get('users/profile')
  @ApiOperation({
    operationId: 'getUserProfile',
    tag: 'analytics',
    summary: "One user's profile: status, sessions (start, end, active, duration, event count) and the latest session's data",
    description: 'The data is decrypted only for keys with the admin role; a read-only key gets `data: null, dataRedacted: true`.',
    query: userProfileQuerySchema,
    responses: { 200: { description: 'The profile', schema: userProfileSchema } },
    errors: [...SCOPE_ERRORS, 'SESSION_NOT_FOUND'],
  })
  profile(@Query() params: UserProfileParams, @Req() request: AuthenticatedRequest): Promise<UserProfile> {
    return this.queries.execute(new GetUserProfileQuery(params, access(request)));
  }

  @Get('users/journey')
  @ApiOperation({
    operationId: 'getUserJourney',
    tag: 'analytics',
    summary: "One user's journey: lifecycle events and activity in time order, filterable, with cursor paging",
    description:
      'Pass `nextCursor` back as `cursor` for the next page. Pages are positions in (occurredAt, event id) ' +
      'order, so events arriving meanwhile never shift or repeat rows. status, name and processId match ' +
      'activity records only.',
    query: userJourneyQuerySchema,
    responses: { 200: { description: 'A page of events', schema: userJourneyPageSchema } },
    errors: [...SCOPE_ERRORS],
  })
  async journey(@Query() params: UserJourneyParams, @Req() request: AuthenticatedRequest): Promise<UserJourneyPage> {
    const page = await this.queries.execute(new GetUserJourneyQuery(params, access(request)));
    return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  /** Activity names seen in the range, most frequent first: what step pickers offer. */
  @Get('steps')
  @ApiOperation({
    operationId: 'listStepNames',
    tag: 'analytics',
    summary: 'Activity names seen in the range, most frequent first (at most 200): what step pickers offer',
    description: '`records` orders them; it is counted without deduplication, so it is not a figure to report. Range default: the last 7 days.',
    query: stepNamesQuerySchema,
    responses: { 200: { description: 'Step names', schema: stepNamesSchema } },
    errors: [...SCOPE_ERRORS],
  })
  steps(@Query() params: StepNamesParams, @Req() request: AuthenticatedRequest): Promise<StepNames> {
    return this.queries.execute(new ListStepNamesQuery(params, access(request)));
  }

  /** The users behind a paths node: those whose path has `step` at `depth` (without `depth`: `step` anywhere in the range). */
  @Get('users/by-step')
  @ApiOperation({
    operationId: 'listUsersByStep',
    tag: 'analytics',
    summary: 'The users behind a node of the paths view: those whose path has `step` at `depth`, latest first',
    description:
      "Give the paths query's own `start` or `end`, `steps` and `visitGapMinutes` with `depth`: `total` is then the " +
      "node's `users` in `/v1/analytics/paths`. Without `depth`, the users with an activity record of `step` anywhere " +
      'in the range. `total` counts them all; `users` holds the first `limit` (50, at most 100). Range default: the last 7 days.',
    query: stepUsersQuerySchema,
    responses: { 200: { description: 'Users', schema: drillUsersSchema } },
    errors: [...SCOPE_ERRORS],
  })
  usersByStep(@Query() params: StepUsersParams, @Req() request: AuthenticatedRequest): Promise<DrillUsers> {
    return this.queries.execute(new ListDrillUsersQuery({ kind: 'step', params }, access(request)));
  }

  /** The users behind a funnel's drop-off: their furthest step in order is `reached`. */
  @Get('funnel/users')
  @ApiOperation({
    operationId: 'listFunnelDropOffUsers',
    tag: 'analytics',
    summary: "The users behind a funnel's drop-off: those whose furthest step, in order within the window, is step `reached` (1-based)",
    description:
      "The users who dropped off before step k+1 are those with `reached=k`; their `total` is that step's " +
      '`dropOff` in `/v1/analytics/funnel` with the same parameters. `users` holds the first `limit` (50, ' +
      'at most 100), latest first.',
    query: funnelUsersQuerySchema,
    responses: { 200: { description: 'Users', schema: drillUsersSchema } },
    errors: [...SCOPE_ERRORS],
  })
  funnelUsers(@Query() params: FunnelUsersParams, @Req() request: AuthenticatedRequest): Promise<DrillUsers> {
    return this.queries.execute(new ListDrillUsersQuery({ kind: 'funnel', params }, access(request)));
  }

  @Get('users/dashboard')
  @ApiOperation({
    operationId: 'getUserDashboard',
    tag: 'analytics',
    summary: "One user's dashboard: activity, latency (p50/p95) and outcome timelines, peak hours, success rate",
    query: userDashboardQuerySchema,
    responses: { 200: { description: 'The dashboard', schema: userDashboardSchema } },
    errors: [...SCOPE_ERRORS],
  })
  userDashboard(@Query() params: UserDashboardParams, @Req() request: AuthenticatedRequest): Promise<UserDashboard> {
    return this.queries.execute(new GetUserDashboardQuery(params, access(request)));
  }

  @Get('dashboard')
  @ApiOperation({
    operationId: 'getTagDashboard',
    tag: 'analytics',
    summary: 'Tag dashboard: users, sessions, DAU/WAU/MAU with change, sessions over time, peak hours, envs, durations, outcomes, lifecycle operations',
    description:
      'Lifecycle operations count start, refresh, revoke and extend; verify writes no event, so it is not ' +
      'counted. DAU/WAU/MAU are distinct users in the 1, 7 and 30 days before `to`, against the period ' +
      'before. More than 1000 buckets in the range is refused (400 naming `interval`).',
    query: tagDashboardQuerySchema,
    responses: { 200: { description: 'The dashboard', schema: tagDashboardSchema } },
    errors: [...SCOPE_ERRORS],
  })
  dashboard(@Query() params: TagDashboardParams, @Req() request: AuthenticatedRequest): Promise<TagDashboard> {
    return this.queries.execute(new GetTagDashboardQuery(params, access(request)));
  }

  @Get('paths')
  @ApiOperation({
    operationId: 'getPaths',
    tag: 'analytics',
    summary: 'Most common sequences of steps after `start` (or before `end`), as Sankey nodes and edges',
    description:
      "Each user's activity in time order, split into visits at a `visitGapMinutes` pause (30), " +
      'consecutive repeats collapsed, `steps` steps per path (5), the `edges` most frequent edges (50). ' +
      'Give `start` or `end`, not both. Node ids are `<depth>_<step>`; paths before `end` are ' +
      'right-aligned so `end` is at depth `steps`.',
    query: pathsQuerySchema,
    responses: { 200: { description: 'Nodes and edges', schema: pathsSchema } },
    errors: [...SCOPE_ERRORS],
  })
  paths(@Query() params: PathsParams, @Req() request: AuthenticatedRequest): Promise<Paths> {
    return this.queries.execute(new GetPathsQuery(params, access(request)));
  }

  @Get('funnel')
  @ApiOperation({
    operationId: 'getFunnel',
    tag: 'analytics',
    summary: 'Ordered funnel over activity names within a conversion window (windowFunnel)',
    description: '`steps`: 2 to 10 names, comma-separated or repeated; `window` in seconds from the first step (default 86400).',
    query: funnelQuerySchema,
    responses: { 200: { description: 'Users per step', schema: funnelSchema } },
    errors: [...SCOPE_ERRORS],
  })
  funnel(@Query() params: FunnelParams, @Req() request: AuthenticatedRequest): Promise<Funnel> {
    return this.queries.execute(new GetFunnelQuery(params, access(request)));
  }

  @Get('retention')
  @ApiOperation({
    operationId: 'getRetention',
    tag: 'analytics',
    summary: 'Retention: cohorts by first-session day, share returning on day N',
    description:
      'Cohorts are the days (in tz) within from/to (default: the last 14 days) of users’ first session; ' +
      'day N counts users with any event that day. Days not over yet are null.',
    query: retentionQuerySchema,
    responses: { 200: { description: 'Cohorts', schema: retentionSchema } },
    errors: [...SCOPE_ERRORS],
  })
  retention(@Query() params: RetentionParams, @Req() request: AuthenticatedRequest): Promise<Retention> {
    return this.queries.execute(new GetRetentionQuery(params, access(request)));
  }

  @Get('reuse-incidents')
  @ApiOperation({
    operationId: 'getReuseIncidents',
    tag: 'analytics',
    summary: 'Refresh-token reuse incidents of a tag: count and sessions affected over time, the newest with their blast radius',
    description:
      'An incident is a spent refresh token presented again after the grace window; it revokes the session. The blast ' +
      'radius of one is what was recorded on its session after the rotation that spent the replayed token and before ' +
      'the revocation: what whoever held the live token (maybe the thief) did. Range default: the last 30 days. More ' +
      'than 1000 buckets in the range is refused (400 naming `interval`). docs/token-lineage.md.',
    query: reuseIncidentsQuerySchema,
    responses: { 200: { description: 'Incidents', schema: reuseIncidentsSchema } },
    errors: [...SCOPE_ERRORS],
  })
  reuseIncidents(@Query() params: ReuseIncidentsParams, @Req() request: AuthenticatedRequest): Promise<ReuseIncidentsResponse> {
    return this.queries.execute(new GetReuseIncidentsQuery(params, access(request)));
  }
}
