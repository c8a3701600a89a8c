export * from './types';
export * from './waymark-client';
export * from './waymark-error';
export type { TransportOptions } from './http-transport';
export * from './dpop';
