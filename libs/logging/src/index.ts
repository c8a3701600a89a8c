export * from './log-throttle';
export * from './pino-logger.service';
export * from './request-context';
export * from './throttled-logger';
export * from './stop-on-signals';
