import { ClickHouseClient } from '@clickhouse/client';
import { QueryLimits } from './analytics-query';
import { FunnelRepository } from './funnel.repository';
import { PathsRepository } from './paths.repository';
import { RetentionRepository } from './retention.repository';
import { ReuseIncidentsRepository } from './reuse-incidents.repository';
import { TagDashboardRepository } from './tag-dashboard.repository';
import { UserDashboardRepository } from './user-dashboard.repository';
import { UserJourneyRepository } from './user-journey.repository';
import { UserProfileRepository } from './user-profile.repository';
import { UsersRepository } from './users.repository';

/** How every analytics reader is built: the ClickHouse client and the limits its queries run under. */
export type AnalyticsReaderClass = new (client: ClickHouseClient, limits: QueryLimits) => object;

/**
 * Every analytics repository, for an app to provide once each (apps/api's AnalyticsModule
 * builds them from its ClickHouse client and analytics limits) and inject where needed.
 */
export const ANALYTICS_REPOSITORIES: readonly AnalyticsReaderClass[] = [
  UsersRepository,
  UserProfileRepository,
  UserJourneyRepository,
  UserDashboardRepository,
  TagDashboardRepository,
  RetentionRepository,
  PathsRepository,
  FunnelRepository,
  ReuseIncidentsRepository,
];
