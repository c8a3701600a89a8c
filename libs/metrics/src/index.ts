export * from './readiness';
export * from './readiness-probe';
export * from './waymark-metrics';
export * from './retention-metrics';
