/**
 * The API contract: the zod schemas of every request and answer of the Waymark API.
 * The API validates requests with them and builds its OpenAPI document from them; the
 * SDK and the console take their types from them (type-only imports).
 */
export * from './analytics';
export * from './fields';
export * from './health';
export * from './journeys';
export * from './lineage';
export * from './problem';
export * from './replay';
export * from './sessions';
export * from './specs';
export * from './users';
