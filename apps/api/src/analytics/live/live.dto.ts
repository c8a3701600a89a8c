/** The live request's schema lives in the contract (libs/contract/src/analytics.ts). */
export { liveQuerySchema } from '@waymark/contract';
export type { LiveParams } from '@waymark/contract';
