/** The spec requests' and answers' schemas live in the contract (libs/contract/src/specs.ts). */
export { createSpecBodySchema, sessionSpecSchema, specViewSchema, updateSpecBodySchema } from '@waymark/contract';
export type { SpecView, UpdateSpecBody } from '@waymark/contract';
