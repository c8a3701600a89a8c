export * from './log-integrity';
export * from './storage.module';
export { DISTRIBUTED_USER_KEY_CACHE_MS, PRIVACY_KEY_RING } from './privacy.providers';
