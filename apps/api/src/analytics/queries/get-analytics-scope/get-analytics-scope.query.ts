import { Query } from '@nestjs/cqrs';
import { Principal } from '../../../auth/principal';

/** One product the key may read: its envs within the key, and its session tags. */
export interface ScopeProduct {
  product: string;
  name: string;
  envs: string[];
  tags: Array<{ tag: string; name: string }>;
}

export interface AnalyticsScopeList {
  /** The API accepts calls without a key (no key configured at all): the console says so. */
  openDevelopment: boolean;
  products: ScopeProduct[];
}

/**
 * What a key may read, for an analyst's pickers. Listing session specs needs `admin`
 * (it shows selectors and schemas); this shows only names, to any `read` key.
 */
export class GetAnalyticsScopeQuery extends Query<AnalyticsScopeList> {
  constructor(readonly principal: Principal) {
    super();
  }
}
