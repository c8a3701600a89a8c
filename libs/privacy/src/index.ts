export * from './privacy-keys';
export * from './user-key';
export * from './user-key-store.port';
export * from './user-keys';
export * from './personal-data-codec';
export * from './sqlite-user-key-store';
export * from './redis-user-key-store';
export * from './user-data-opener';
