import { z } from 'zod';
import { ConfigError } from './config-error';
import { assertKnownWaymarkVariables } from './strict/known-waymark-variables';

export { ConfigError } from './config-error';

/**
 * Parses the process environment against an app's schema. This is the only place
 * that reads `process.env`; a bad setting stops start-up with a message naming it,
 * and so does a `WAYMARK_*` variable none of our programs reads (a typo).
 */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  assertKnownWaymarkVariables(env);
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}

/** Optional non-empty string: an empty variable counts as unset, as shells often export them. */
export const optionalSetting = z.preprocess((value) => (value === '' ? undefined : value), z.string().optional());

export const portSetting = z.coerce.number().int().min(0).max(65535);
