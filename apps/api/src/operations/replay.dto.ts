/** The replay request's schema lives in the contract (libs/contract/src/replay.ts). */
export { replayStartField, startReplayBodySchema } from '@waymark/contract';
export type { StartReplayBody } from '@waymark/contract';
