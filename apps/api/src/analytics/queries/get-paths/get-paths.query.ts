import { Query } from '@nestjs/cqrs';
import { Paths } from '@waymark/read-model';
import { PathsParams } from '../../analytics.dto';
import { AnalyticsAccess } from '../../analytics-access';

/** The most common sequences of steps, as Sankey nodes and edges. */
export class GetPathsQuery extends Query<Paths> {
  constructor(
    readonly params: PathsParams,
    readonly access: AnalyticsAccess,
  ) {
    super();
  }
}
