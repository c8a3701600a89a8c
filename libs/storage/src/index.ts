export * from './log-integrity';
export * from './storage.module';
