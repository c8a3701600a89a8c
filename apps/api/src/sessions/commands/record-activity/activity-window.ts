import { DomainError, FieldError } from '@waymark/domain';

export interface ActivityWindow {
  maxAgeMs: number;
  maxFutureMs: number;
}

/**
 * Refuses records whose `occurredAt` lies outside the window around `now`, naming each
 * one (`records.3.occurredAt`). Records without `occurredAt` take `now` and always pass.
 */
export function checkActivityWindow(
  records: ReadonlyArray<{ occurredAt?: number }>,
  now: number,
  window: ActivityWindow,
  recordsField: 'record' | 'records',
): void {
  const errors: FieldError[] = [];
  records.forEach((record, index) => {
    if (record.occurredAt === undefined) return;
    const field = recordsField === 'record' ? 'record.occurredAt' : `records.${index}.occurredAt`;
    if (record.occurredAt < now - window.maxAgeMs) {
      errors.push({ field, message: `is more than ${describe(window.maxAgeMs)} before the server's clock (${new Date(now).toISOString()})` });
    } else if (record.occurredAt > now + window.maxFutureMs) {
      errors.push({ field, message: `is more than ${describe(window.maxFutureMs)} after the server's clock (${new Date(now).toISOString()})` });
    }
  });
  if (errors.length > 0) {
    throw new DomainError('INVALID_REQUEST', `invalid body: ${errors.map((error) => `${error.field}: ${error.message}`).join('; ')}`, errors);
  }
}

function describe(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} days`;
  if (ms % 60_000 === 0) return `${ms / 60_000} minutes`;
  return `${ms} ms`;
}
