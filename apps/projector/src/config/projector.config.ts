import { ConfigError, optionalSetting, parseEnv } from '@waymark/config';
import { resolve } from 'node:path';
import { z } from 'zod';

const projectorEnvSchema = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PROJECTOR_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(10_000),
  KAFKA_BROKERS: optionalSetting,
  CLICKHOUSE_URL: optionalSetting,
});

export interface ProjectorConfig {
  dataDir: string;
  logLevel: z.infer<typeof projectorEnvSchema>['LOG_LEVEL'];
  batchSize: number;
}

export function loadProjectorConfig(env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  const parsed = parseEnv(projectorEnvSchema, env);
  const distributed = (['KAFKA_BROKERS', 'CLICKHOUSE_URL'] as const).filter((name) => parsed[name]);
  if (distributed.length > 0) {
    throw new ConfigError(`${distributed.join(', ')}: distributed mode is not available in this build; unset these to run embedded`);
  }
  return { dataDir: resolve(parsed.DATA_DIR), logLevel: parsed.LOG_LEVEL, batchSize: parsed.PROJECTOR_BATCH_SIZE };
}
