export * from './event-log.port';
export * from './sqlite/sqlite-event-log';
export * from './kafka/kafka-event-log';
export * from './kafka/kafka-event-log-consumer';
export * from './kafka/kafka-event-log.options';
export * from './kafka/kafka-topic-scanner';
export * from './kafka/kafka-log-scan';
export * from './read-filter';
