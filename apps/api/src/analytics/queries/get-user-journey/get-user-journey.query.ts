import { Query } from '@nestjs/cqrs';
import { JourneyPage } from '@waymark/read-model';
import { UserJourneyParams } from '../../analytics.dto';
import { AnalyticsAccess } from '../../analytics-access';

/** One user's events, sessions' lifecycle and activity in time order, a page at a time. */
export class GetUserJourneyQuery extends Query<JourneyPage> {
  constructor(
    readonly params: UserJourneyParams,
    readonly access: AnalyticsAccess,
  ) {
    super();
  }
}
