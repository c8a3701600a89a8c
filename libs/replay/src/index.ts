export * from './replay-journal';
export * from './replay-plan';
export * from './replay-runner';
export * from './shadow-tables';
export * from './kafka-replay';
export * from './kafka-replay-journal';
export * from './kafka-replay-scope';
