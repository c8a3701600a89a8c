export * from './embedded-log-integrity';
export * from './kafka-log-integrity';
export * from './log-integrity-report';
export * from './log-integrity.monitor';
export * from './embedded-log-repair';
export * from './read-model-envelopes';
