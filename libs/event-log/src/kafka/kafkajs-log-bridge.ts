import { LoggerService } from '@nestjs/common';
import { LogEntry, logCreator, logLevel } from 'kafkajs';

/**
 * Sends kafkajs's log lines to our logger instead of its console logger. kafkajs logs
 * routine group changes at INFO, so those go to `debug`; its warnings and errors keep
 * their level (a rebalance shows there as a warning and a failed heartbeat).
 */
export function kafkajsLogCreator(logger: LoggerService): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      const fields = { ...extra, kafkajs: namespace };
      switch (level) {
        case logLevel.ERROR:
          logger.error(fields, message);
          break;
        case logLevel.WARN:
          logger.warn(fields, message);
          break;
        case logLevel.INFO:
          logger.debug?.(fields, message);
          break;
        case logLevel.DEBUG:
        case logLevel.NOTHING:
          logger.verbose?.(fields, message);
      }
    };
}
