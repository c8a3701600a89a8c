import { DistributedSettings, distributedEnvShape, distributedSettingsFrom, parseEnv, portSetting } from '@waymark/config';
import { resolve } from 'node:path';
import { z } from 'zod';

export const PROJECTOR_CONFIG = Symbol('PROJECTOR_CONFIG');

export const projectorEnvSchema = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: portSetting.default(3001),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PROJECTOR_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(10_000),
  PROJECTOR_LINGER_MS: z.coerce.number().int().min(0).max(5000).default(250),
  READY_MAX_LAG_EVENTS: z.coerce.number().int().min(0).default(100_000),
  READY_PROJECTOR_MAX_FAILURES: z.coerce.number().int().min(1).max(1_000_000).default(5),
  READY_PROJECTOR_STALL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  ...distributedEnvShape,
});

export interface ProjectorConfig {
  dataDir: string;
  host: string;
  port: number;
  logLevel: z.infer<typeof projectorEnvSchema>['LOG_LEVEL'];
  batchSize: number;
  /** The projector gathers events for at least this long between INSERTs (ProjectorOptions.lingerMs). */
  lingerMs: number;
  readyMaxLagEvents: number;
  /** /health/ready fails once the projector's last this many attempts failed... */
  readyProjectorMaxFailures: number;
  /** ...or when it committed nothing for this long while events wait. */
  readyProjectorStallSeconds: number;
  /** Kafka and the ClickHouse server, when set; otherwise the embedded store under DATA_DIR. */
  distributed: Pick<DistributedSettings, 'kafka' | 'clickhouseUrl'> | undefined;
}

export function loadProjectorConfig(env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  const parsed = parseEnv(projectorEnvSchema, env);
  const distributed = distributedSettingsFrom(parsed, ['KAFKA_BROKERS', 'CLICKHOUSE_URL']);
  return {
    dataDir: resolve(parsed.DATA_DIR),
    host: parsed.HOST,
    port: parsed.PORT,
    logLevel: parsed.LOG_LEVEL,
    batchSize: parsed.PROJECTOR_BATCH_SIZE,
    lingerMs: parsed.PROJECTOR_LINGER_MS,
    readyMaxLagEvents: parsed.READY_MAX_LAG_EVENTS,
    readyProjectorMaxFailures: parsed.READY_PROJECTOR_MAX_FAILURES,
    readyProjectorStallSeconds: parsed.READY_PROJECTOR_STALL_SECONDS,
    distributed: distributed && { kafka: distributed.kafka, clickhouseUrl: distributed.clickhouseUrl },
  };
}
