import { checkTimeZonesWith } from '@waymark/contract';
import { isTimeZone } from './time-zones';

/**
 * The analytics requests' schemas live in the contract (libs/contract/src/analytics.ts).
 * Which `tz` names they accept is this app's to say (time-zones.ts: those both Intl and
 * the read model's ClickHouse know), so it is handed to the contract here, where the
 * controller takes its schemas from.
 */
checkTimeZonesWith(isTimeZone);

export {
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
} from '@waymark/contract';
export type {
  FunnelParams,
  ListUsersParams,
  PathsParams,
  RetentionParams,
  TagDashboardParams,
  UserDashboardParams,
  UserJourneyParams,
  UserProfileParams,
} from '@waymark/contract';
