import { defaultPrivacyKeysFile } from '@waymark/privacy';
import { ConfigError, DistributedSettings, distributedEnvShape, distributedSettingsFrom, optionalSetting, parseEnv, portSetting } from '@waymark/config';
import { resolve } from 'node:path';
import { z } from 'zod';

export const apiEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: portSetting.default(3000),
  DATA_DIR: z.string().min(1).default('./data'),
  WAYMARK_CONFIG: optionalSetting,
  TOKEN_KEYS_FILE: optionalSetting,
  TOKEN_KEYS: optionalSetting,
  PRIVACY_KEYS_FILE: optionalSetting,
  PRIVACY_KEYS: optionalSetting,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
  JOURNEY_MAX_EVENTS: z.coerce.number().int().min(1).max(100_000).default(1000),
  ANALYTICS_QUERY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(10),
  ANALYTICS_MAX_RESULT_ROWS: z.coerce.number().int().min(1000).max(10_000_000).default(100_000),
  PROJECTOR_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(10_000),
  PROJECTOR_LINGER_MS: z.coerce.number().int().min(0).max(5000).default(250),
  REFRESH_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  READY_MAX_LAG_EVENTS: z.coerce.number().int().min(0).default(100_000),
  READY_PROJECTOR_MAX_FAILURES: z.coerce.number().int().min(1).max(1_000_000).default(5),
  READY_PROJECTOR_STALL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  SPEC_RELOAD_MS: z.coerce.number().int().min(100).max(3_600_000).default(2_000),
  API_KEY_RATE_PER_SECOND: z.coerce.number().positive().default(10_000),
  API_KEY_RATE_BURST: z.coerce.number().int().positive().default(20_000),
  // How far from the server's clock an activity's occurredAt may lie (ApiConfig.activityWindow).
  ACTIVITY_MAX_AGE_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(365 * 86_400_000)
    .default(30 * 86_400_000),
  ACTIVITY_MAX_FUTURE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400_000)
    .default(10 * 60_000),
  WAYMARK_BOOTSTRAP_KEY: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(16, 'must be at least 16 characters').optional()),
  ...distributedEnvShape,
});

export interface ApiConfig {
  nodeEnv: 'development' | 'test' | 'production';
  host: string;
  port: number;
  dataDir: string;
  waymarkConfigFile: string | undefined;
  tokenKeysFile: string;
  /** A JWK set given inline (e.g. from a secret store); wins over the file. */
  tokenKeysJson: string | undefined;
  /** The privacy keys (crypto-shredding, docs/privacy.md): by default beside the token key file, so processes that share one share both. */
  privacyKeysFile: string;
  privacyKeysJson: string | undefined;
  /** Only outside production may a missing key file be created with a fresh key. */
  mayCreateTokenKeys: boolean;
  logLevel: z.infer<typeof apiEnvSchema>['LOG_LEVEL'];
  bodyLimitBytes: number;
  journeyMaxEvents: number;
  /** ClickHouse stops an analytics query after this long (`max_execution_time`). */
  analyticsQueryTimeoutSeconds: number;
  /** ...or when its answer grows past this many rows (`max_result_rows`). */
  analyticsMaxResultRows: number;
  projectorBatchSize: number;
  /** The projector gathers events for at least this long between INSERTs (ProjectorOptions.lingerMs). */
  projectorLingerMs: number;
  /** How long a just-spent refresh token still gets the answer it was given. */
  refreshGraceMs: number;
  specReloadMs: number;
  /** /health/ready fails when the projector is further behind than this. */
  readyMaxLagEvents: number;
  /** /health/ready fails once the projector's last this many attempts failed. */
  readyProjectorMaxFailures: number;
  /** ...or when it committed nothing for this long while events wait. */
  readyProjectorStallSeconds: number;
  defaultRateLimit: { perSecond: number; burst: number };
  /** Development and tests only: accepted as a key with every role. */
  bootstrapKey: string | undefined;
  /** Kafka, ClickHouse server and Redis when all three are set; embedded otherwise. */
  distributed: DistributedSettings | undefined;
  /**
   * An activity's `occurredAt` is taken from `maxAgeMs` before the server's clock to
   * `maxFutureMs` after it: late uploads from buffering clients and clock skew pass, a
   * wrong date (a year off, a zero timestamp) is refused instead of landing in old
   * partitions and dashboards nobody looks at.
   */
  activityWindow: { maxAgeMs: number; maxFutureMs: number };
}

/** The API's whole configuration, read once from the environment at start-up. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = parseEnv(apiEnvSchema, env);
  const distributed = distributedSettingsFrom(parsed, ['KAFKA_BROKERS', 'CLICKHOUSE_URL', 'REDIS_URL']);
  if (parsed.WAYMARK_BOOTSTRAP_KEY && parsed.NODE_ENV === 'production') {
    throw new ConfigError('WAYMARK_BOOTSTRAP_KEY: refused when NODE_ENV=production; create API keys with `waymark api-keys create`');
  }
  const dataDir = resolve(parsed.DATA_DIR);
  return {
    nodeEnv: parsed.NODE_ENV,
    host: parsed.HOST,
    port: parsed.PORT,
    dataDir,
    waymarkConfigFile: parsed.WAYMARK_CONFIG,
    tokenKeysFile: resolve(parsed.TOKEN_KEYS_FILE ?? `${dataDir}/token-keys.json`),
    tokenKeysJson: parsed.TOKEN_KEYS,
    privacyKeysFile: resolve(parsed.PRIVACY_KEYS_FILE ?? defaultPrivacyKeysFile(resolve(parsed.TOKEN_KEYS_FILE ?? `${dataDir}/token-keys.json`))),
    privacyKeysJson: parsed.PRIVACY_KEYS,
    mayCreateTokenKeys: parsed.NODE_ENV !== 'production',
    logLevel: parsed.LOG_LEVEL,
    bodyLimitBytes: parsed.BODY_LIMIT_BYTES,
    journeyMaxEvents: parsed.JOURNEY_MAX_EVENTS,
    analyticsQueryTimeoutSeconds: parsed.ANALYTICS_QUERY_TIMEOUT_SECONDS,
    analyticsMaxResultRows: parsed.ANALYTICS_MAX_RESULT_ROWS,
    projectorBatchSize: parsed.PROJECTOR_BATCH_SIZE,
    projectorLingerMs: parsed.PROJECTOR_LINGER_MS,
    refreshGraceMs: parsed.REFRESH_GRACE_MS,
    specReloadMs: parsed.SPEC_RELOAD_MS,
    readyMaxLagEvents: parsed.READY_MAX_LAG_EVENTS,
    readyProjectorMaxFailures: parsed.READY_PROJECTOR_MAX_FAILURES,
    readyProjectorStallSeconds: parsed.READY_PROJECTOR_STALL_SECONDS,
    defaultRateLimit: { perSecond: parsed.API_KEY_RATE_PER_SECOND, burst: parsed.API_KEY_RATE_BURST },
    bootstrapKey: parsed.WAYMARK_BOOTSTRAP_KEY,
    distributed,
    activityWindow: { maxAgeMs: parsed.ACTIVITY_MAX_AGE_MS, maxFutureMs: parsed.ACTIVITY_MAX_FUTURE_MS },
  };
}
