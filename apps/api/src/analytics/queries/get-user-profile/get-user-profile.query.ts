import { Query } from '@nestjs/cqrs';
import { UserProfileData } from '@waymark/read-model';
import { UserProfileParams } from '../../analytics.dto';
import { AnalyticsAccess } from '../../analytics-access';

export interface UserProfile extends Omit<UserProfileData, 'latestSealedData'> {
  /** The latest session's data, decrypted; null when withheld or there is none. */
  data: Record<string, unknown> | null;
  /** True when the key may not see decrypted data (a `read`-only key). */
  dataRedacted: boolean;
}

/** One user's profile: status, sessions and the latest session's data. */
export class GetUserProfileQuery extends Query<UserProfile> {
  constructor(
    readonly params: UserProfileParams,
    readonly access: AnalyticsAccess,
  ) {
    super();
  }
}
