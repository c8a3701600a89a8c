import { LoggerService } from '@nestjs/common';
import { distributedEnvShape, distributedSettingsFrom, parseEnv } from '@waymark/config';
import { KafkaEventLog } from '@waymark/event-log';
import { z } from 'zod';
import { CliIo } from './cli-command';

/**
 * The Kafka event log of a distributed deployment, when the CLI runs in its
 * environment: `KAFKA_BROKERS` set and no `--data-dir` given (which names an embedded
 * service's data and wins). Undefined means "use the embedded data".
 */
export function openKafkaLog(dataDir: string | undefined, io: CliIo): KafkaEventLog | undefined {
  if (dataDir !== undefined || !io.env.KAFKA_BROKERS) return undefined;
  const env = parseEnv(z.object(distributedEnvShape), io.env);
  const settings = distributedSettingsFrom(env, ['KAFKA_BROKERS']);
  if (!settings) return undefined;
  return new KafkaEventLog({ ...settings.kafka, clientId: `${settings.kafka.clientId}-cli` }, cliLogger(io));
}

/** kafkajs's and the adapter's warnings and errors on stderr; nothing else. */
function cliLogger(io: CliIo): LoggerService {
  const text = (message: unknown) =>
    typeof message === 'string' ? message : JSON.stringify(message, (_key, value: unknown) => (value instanceof Error ? value.message : value));
  return {
    log: () => undefined,
    warn: (message: unknown, ...rest: unknown[]) => io.err(`warning: ${text(rest.length > 0 && typeof rest[0] === 'string' ? rest[0] : message)}`),
    error: (message: unknown) => io.err(`error: ${text(message)}`),
  };
}
