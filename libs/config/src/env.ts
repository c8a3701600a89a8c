import { z } from 'zod';

/**
 * Parses the process environment against an app's schema. This is the only place
 * that reads `process.env`; a bad setting stops start-up with a message naming it.
 */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Optional non-empty string: an empty variable counts as unset, as shells often export them. */
export const optionalSetting = z.preprocess((value) => (value === '' ? undefined : value), z.string().optional());

export const portSetting = z.coerce.number().int().min(0).max(65535);
