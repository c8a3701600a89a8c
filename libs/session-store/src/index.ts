export * from './session-store.port';
export * from './spec-store.port';
export * from './sqlite/sqlite-session-store';
export * from './sqlite/sqlite-spec-store';
export * from './redis/redis-keys';
export * from './redis/redis-session-store';
export * from './redis/redis-spec-store';
export * from './redis/redis-store-rebuild';
