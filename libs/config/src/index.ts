export * from './env';
export * from './load-waymark-config';
export * from './waymark-config.schema';
export * from './distributed-settings';
export * from './strict';
export * from './startup';
export * from './retention';
