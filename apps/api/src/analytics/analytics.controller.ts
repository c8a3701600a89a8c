import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ZodValidationPipe } from '@waymark/http';
import { Funnel, Paths, Retention, TagDashboard, UserDashboard, UserList } from '@waymark/read-model';
import { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AuthenticatedRequest } from '../auth/api-key.guard';
import { RequireRole } from '../auth/require-role.decorator';
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
  tagDashboardQuerySchema,
  userDashboardQuerySchema,
  userJourneyQuerySchema,
  userProfileQuerySchema,
} from './analytics.dto';
import { GetFunnelQuery } from './queries/get-funnel/get-funnel.query';
import { GetPathsQuery } from './queries/get-paths/get-paths.query';
import { GetRetentionQuery } from './queries/get-retention/get-retention.query';
import { GetTagDashboardQuery } from './queries/get-tag-dashboard/get-tag-dashboard.query';
import { GetUserDashboardQuery } from './queries/get-user-dashboard/get-user-dashboard.query';
import { GetUserJourneyQuery } from './queries/get-user-journey/get-user-journey.query';
import { GetUserProfileQuery, UserProfile } from './queries/get-user-profile/get-user-profile.query';
import { ListUsersQuery } from './queries/list-users/list-users.query';
import { AnalyticsScopeList, GetAnalyticsScopeQuery } from './queries/get-analytics-scope/get-analytics-scope.query';
import { LiveParams, liveQuerySchema } from './live/live.dto';
import { LiveStreams } from './live/live-streams';
import { FunnelUsersParams, StepNamesParams, StepUsersParams, funnelUsersQuerySchema, stepNamesQuerySchema, stepUsersQuerySchema } from './drill/drill.dto';
import { ListDrillUsersQuery, ListStepNamesQuery } from './drill/list-drill-users.query';
import { DrillUsers } from './drill/users-drill.reader';

/** The scope listing takes no parameters: unknown ones are refused like everywhere else. */
export const scopeQuerySchema = z.object({}).strict();

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
  scope(@Query(new ZodValidationPipe(scopeQuerySchema, 'query')) _params: object, @Req() request: AuthenticatedRequest): Promise<AnalyticsScopeList> {
    return this.queries.execute(new GetAnalyticsScopeQuery(request.principal!));
  }

  /** Server-sent events: `ready`, then `events` batches (oldest first) as the read model gets them. */
  @Get('live')
  stream(
    @Query(new ZodValidationPipe(liveQuerySchema, 'query')) params: LiveParams,
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.live.stream(params, access(request), request, reply);
  }

  @Get('users')
  users(@Query(new ZodValidationPipe(listUsersQuerySchema, 'query')) params: ListUsersParams, @Req() request: AuthenticatedRequest): Promise<UserList> {
    return this.queries.execute(new ListUsersQuery(params, access(request)));
  }

  @Get('users/profile')
  profile(
    @Query(new ZodValidationPipe(userProfileQuerySchema, 'query')) params: UserProfileParams,
    @Req() request: AuthenticatedRequest,
  ): Promise<UserProfile> {
    return this.queries.execute(new GetUserProfileQuery(params, access(request)));
  }

  @Get('users/journey')
  async journey(@Query(new ZodValidationPipe(userJourneyQuerySchema, 'query')) params: UserJourneyParams, @Req() request: AuthenticatedRequest) {
    const page = await this.queries.execute(new GetUserJourneyQuery(params, access(request)));
    return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  /** Activity names seen in the range, most frequent first: what step pickers offer. */
  @Get('steps')
  steps(
    @Query(new ZodValidationPipe(stepNamesQuerySchema, 'query')) params: StepNamesParams,
    @Req() request: AuthenticatedRequest,
  ): Promise<{ steps: Array<{ step: string; records: number }> }> {
    return this.queries.execute(new ListStepNamesQuery(params, access(request)));
  }

  /** The users behind a paths node: those with an activity record of `step` in the range. */
  @Get('users/by-step')
  usersByStep(@Query(new ZodValidationPipe(stepUsersQuerySchema, 'query')) params: StepUsersParams, @Req() request: AuthenticatedRequest): Promise<DrillUsers> {
    return this.queries.execute(new ListDrillUsersQuery({ kind: 'step', params }, access(request)));
  }

  /** The users behind a funnel's drop-off: their furthest step in order is `reached`. */
  @Get('funnel/users')
  funnelUsers(
    @Query(new ZodValidationPipe(funnelUsersQuerySchema, 'query')) params: FunnelUsersParams,
    @Req() request: AuthenticatedRequest,
  ): Promise<DrillUsers> {
    return this.queries.execute(new ListDrillUsersQuery({ kind: 'funnel', params }, access(request)));
  }

  @Get('users/dashboard')
  userDashboard(
    @Query(new ZodValidationPipe(userDashboardQuerySchema, 'query')) params: UserDashboardParams,
    @Req() request: AuthenticatedRequest,
  ): Promise<UserDashboard> {
    return this.queries.execute(new GetUserDashboardQuery(params, access(request)));
  }

  @Get('dashboard')
  dashboard(
    @Query(new ZodValidationPipe(tagDashboardQuerySchema, 'query')) params: TagDashboardParams,
    @Req() request: AuthenticatedRequest,
  ): Promise<TagDashboard> {
    return this.queries.execute(new GetTagDashboardQuery(params, access(request)));
  }

  @Get('paths')
  paths(@Query(new ZodValidationPipe(pathsQuerySchema, 'query')) params: PathsParams, @Req() request: AuthenticatedRequest): Promise<Paths> {
    return this.queries.execute(new GetPathsQuery(params, access(request)));
  }

  @Get('funnel')
  funnel(@Query(new ZodValidationPipe(funnelQuerySchema, 'query')) params: FunnelParams, @Req() request: AuthenticatedRequest): Promise<Funnel> {
    return this.queries.execute(new GetFunnelQuery(params, access(request)));
  }

  @Get('retention')
  retention(@Query(new ZodValidationPipe(retentionQuerySchema, 'query')) params: RetentionParams, @Req() request: AuthenticatedRequest): Promise<Retention> {
    return this.queries.execute(new GetRetentionQuery(params, access(request)));
  }
}
