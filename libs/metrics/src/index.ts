export * from './waymark-metrics';
