import { RetentionRepository } from '@waymark/read-model';
import { analyticsHandler } from '../../analytics-request';
import { GetRetentionQuery } from './get-retention.query';

export const GetRetentionHandler = analyticsHandler(GetRetentionQuery, RetentionRepository, (retention, { params, access }, requests) => {
  // Cohorts of the last two weeks unless told otherwise.
  const { scope, range, now } = requests.ranged(params, access, 14);
  return retention.build({ scope, range, days: params.days, tz: params.tz, now });
});
