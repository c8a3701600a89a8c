import type { AnalyticsScopeList } from '@waymark/contract';

/** What the key may see: GET /v1/analytics/scope (products, their envs within the key, session tags). */
export type Scope = AnalyticsScopeList;

export const SCOPE_PATH = '/v1/analytics/scope';
