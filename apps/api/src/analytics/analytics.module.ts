import { Module } from '@nestjs/common';
import { ClickHouseClient } from '@clickhouse/client';
import { ANALYTICS_REPOSITORIES, AnalyticsReaderClass, CLICKHOUSE, QueryLimits } from '@waymark/read-model';
import { API_CONFIG } from '../config/api-config.provider';
import { ApiConfig } from '../config/api.config';
import { ANALYTICS_LIMITS } from './analytics-limits';
import { AnalyticsController } from './analytics.controller';
import { GetFunnelHandler } from './queries/get-funnel/get-funnel.handler';
import { GetPathsHandler } from './queries/get-paths/get-paths.handler';
import { GetRetentionHandler } from './queries/get-retention/get-retention.handler';
import { GetReuseIncidentsHandler } from './queries/get-reuse-incidents/get-reuse-incidents.handler';
import { GetTagDashboardHandler } from './queries/get-tag-dashboard/get-tag-dashboard.handler';
import { GetUserDashboardHandler } from './queries/get-user-dashboard/get-user-dashboard.handler';
import { GetUserJourneyHandler } from './queries/get-user-journey/get-user-journey.handler';
import { GetUserProfileHandler } from './queries/get-user-profile/get-user-profile.handler';
import { ListUsersHandler } from './queries/list-users/list-users.handler';
import { TimeZoneCatalog } from './time-zone-catalog';
import { GetAnalyticsScopeHandler } from './queries/get-analytics-scope/get-analytics-scope.handler';
import { LiveStreams } from './live/live-streams';
import { ListDrillUsersHandler, ListStepNamesHandler } from './drill/list-drill-users.handler';
import { UsersDrillReader } from './drill/users-drill.reader';
import { AnalyticsRequests } from './analytics-request';

/** Each analytics reader built once from the ClickHouse client and the analytics limits, and injected into its handlers. */
const readerProviders = [...ANALYTICS_REPOSITORIES, UsersDrillReader].map((reader: AnalyticsReaderClass) => ({
  provide: reader,
  useFactory: (clickhouse: ClickHouseClient, limits: QueryLimits) => new reader(clickhouse, limits),
  inject: [CLICKHOUSE, ANALYTICS_LIMITS],
}));

@Module({
  controllers: [AnalyticsController],
  providers: [
    {
      provide: ANALYTICS_LIMITS,
      useFactory: (config: ApiConfig): QueryLimits => ({
        maxExecutionSeconds: config.analyticsQueryTimeoutSeconds,
        maxResultRows: config.analyticsMaxResultRows,
      }),
      inject: [API_CONFIG],
    },
    ListUsersHandler,
    GetUserProfileHandler,
    GetUserJourneyHandler,
    GetUserDashboardHandler,
    GetTagDashboardHandler,
    GetPathsHandler,
    GetFunnelHandler,
    GetRetentionHandler,
    GetReuseIncidentsHandler,
    TimeZoneCatalog,
    GetAnalyticsScopeHandler,
    LiveStreams,
    ...readerProviders,
    AnalyticsRequests,
    ListDrillUsersHandler,
    ListStepNamesHandler,
  ],
})
export class AnalyticsModule {}
