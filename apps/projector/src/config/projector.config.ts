import { defaultPrivacyKeysFile } from '@waymark/privacy';
import { DistributedSettings, distributedEnvShape, distributedSettingsFrom, optionalSetting, parseEnv, portSetting } from '@waymark/config';
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
  // The projector decodes what the log stores (docs/privacy.md): it needs the token keys
  // (to re-seal session data for the read model) and the privacy keys, as the API has them.
  TOKEN_KEYS_FILE: optionalSetting,
  TOKEN_KEYS: optionalSetting,
  PRIVACY_KEYS_FILE: optionalSetting,
  PRIVACY_KEYS: optionalSetting,
  ...distributedEnvShape,
});

/** Where a key ring comes from; `mayCreate` only in embedded mode, where the projector shares the API's data dir. */
export interface KeySource {
  file: string;
  json: string | undefined;
  mayCreate: boolean;
}

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
  /** Kafka, the ClickHouse server and Redis (the user keys), when set; otherwise the embedded store under DATA_DIR. */
  distributed: Pick<DistributedSettings, 'kafka' | 'clickhouseUrl' | 'clickhouseCluster' | 'redisUrl' | 'redisKeyPrefix'> | undefined;
  tokenKeys: KeySource;
  privacyKeys: KeySource;
}

export function loadProjectorConfig(env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  const parsed = parseEnv(projectorEnvSchema, env);
  const distributed = distributedSettingsFrom(parsed, ['KAFKA_BROKERS', 'CLICKHOUSE_URL', 'REDIS_URL']);
  const dataDir = resolve(parsed.DATA_DIR);
  const tokenKeysFile = resolve(parsed.TOKEN_KEYS_FILE ?? `${dataDir}/token-keys.json`);
  // A distributed projector must use the keys the API instances use, never make its own.
  const mayCreate = !distributed;
  return {
    dataDir,
    host: parsed.HOST,
    port: parsed.PORT,
    logLevel: parsed.LOG_LEVEL,
    batchSize: parsed.PROJECTOR_BATCH_SIZE,
    lingerMs: parsed.PROJECTOR_LINGER_MS,
    readyMaxLagEvents: parsed.READY_MAX_LAG_EVENTS,
    readyProjectorMaxFailures: parsed.READY_PROJECTOR_MAX_FAILURES,
    readyProjectorStallSeconds: parsed.READY_PROJECTOR_STALL_SECONDS,
    distributed: distributed && {
      kafka: distributed.kafka,
      clickhouseUrl: distributed.clickhouseUrl,
      clickhouseCluster: distributed.clickhouseCluster,
      redisUrl: distributed.redisUrl,
      redisKeyPrefix: distributed.redisKeyPrefix,
    },
    tokenKeys: { file: tokenKeysFile, json: parsed.TOKEN_KEYS, mayCreate },
    privacyKeys: { file: resolve(parsed.PRIVACY_KEYS_FILE ?? defaultPrivacyKeysFile(tokenKeysFile)), json: parsed.PRIVACY_KEYS, mayCreate },
  };
}
