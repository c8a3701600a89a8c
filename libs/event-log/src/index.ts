export * from './event-log.port';
export * from './sqlite/sqlite-event-log';
