export * from './session-store.port';
export * from './spec-store.port';
export * from './sqlite/sqlite-session-store';
export * from './sqlite/sqlite-spec-store';
