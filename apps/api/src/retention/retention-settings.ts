import { ConfigError } from '@waymark/config';
import { z } from 'zod';

/** How often retention runs and how much it deletes per log transaction (docs/retention.md). */
export interface RetentionSettings {
  /** Between passes; 0 turns the job off in this process (another instance runs it). */
  intervalMs: number;
  /** Log rows looked at, and at most deleted, per transaction. */
  batchRows: number;
}

const schema = z.object({
  RETENTION_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(3600),
  RETENTION_BATCH_ROWS: z.coerce.number().int().min(1).max(100_000).default(2000),
});

/**
 * Read here rather than in ApiConfig so that retention stays one module (its owner may
 * fold these into api.config.ts). A bad value stops start-up naming the variable.
 */
export function retentionSettingsFrom(env: NodeJS.ProcessEnv): RetentionSettings {
  const parsed = schema.safeParse({
    RETENTION_INTERVAL_SECONDS: blankToUndefined(env.RETENTION_INTERVAL_SECONDS),
    RETENTION_BATCH_ROWS: blankToUndefined(env.RETENTION_BATCH_ROWS),
  });
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n'));
  }
  return { intervalMs: parsed.data.RETENTION_INTERVAL_SECONDS * 1000, batchRows: parsed.data.RETENTION_BATCH_ROWS };
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
