import { Query } from '@nestjs/cqrs';
import { Journey, JourneyKey } from '@waymark/read-model';

/** One identifier's sessions and events in one tag, in time order. */
export class GetJourneyQuery extends Query<Journey> {
  constructor(
    readonly key: JourneyKey,
    readonly limit: number,
  ) {
    super();
  }
}
