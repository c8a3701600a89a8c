import { z } from 'zod';

/** Product, env and session tags as specs define them. */
export const slugField = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, dot, dash and underscore only');

/** Session data travels inside every token, so it is kept small. */
export const MAX_SESSION_DATA_BYTES = 16 * 1024;

export const sessionDataField = z
  .custom<Record<string, unknown>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    'must be a JSON object',
  )
  .refine(
    (value) => Buffer.byteLength(JSON.stringify(value)) <= MAX_SESSION_DATA_BYTES,
    `must be at most ${MAX_SESSION_DATA_BYTES} bytes as JSON`,
  );
