/** The drill-down requests' schemas live in the contract (libs/contract/src/analytics.ts). */
export { MAX_DRILL_USERS, funnelUsersQuerySchema, stepNamesQuerySchema, stepUsersQuerySchema } from '@waymark/contract';
export type { FunnelUsersParams, StepNamesParams, StepUsersParams } from '@waymark/contract';
