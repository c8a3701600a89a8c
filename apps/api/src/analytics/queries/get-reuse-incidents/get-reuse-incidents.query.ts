import { Query } from '@nestjs/cqrs';
import { ReuseIncidentsParams } from '@waymark/contract';
import { ReuseIncidents } from '@waymark/read-model';
import { AnalyticsAccess } from '../../analytics-access';

/** A tag's refresh-token reuse incidents over time, the newest with their blast radius. */
export class GetReuseIncidentsQuery extends Query<ReuseIncidents> {
  constructor(
    readonly params: ReuseIncidentsParams,
    readonly access: AnalyticsAccess,
  ) {
    super();
  }
}
