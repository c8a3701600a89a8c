export * from './dpop-proof';
export * from './dpop-proof-verifier';
export * from './dpop-replay-guard';
export * from './jwk-thumbprint';
