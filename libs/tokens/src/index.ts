export * from './data-sealer';
export * from './refresh-token';
export * from './session-token.service';
export * from './token-key-ring';
export * from './api-key-credentials';
export * from './compact-jwe';
export { takeRandomBytes } from './random-pool';
export * from './dpop';
