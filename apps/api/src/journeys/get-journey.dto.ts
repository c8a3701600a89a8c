/** The journey request's schema lives in the contract (libs/contract/src/journeys.ts). */
export { getJourneyQuerySchema } from '@waymark/contract';
export type { GetJourneyParams } from '@waymark/contract';
