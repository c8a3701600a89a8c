import { DomainError, FieldError } from '../errors/domain-error';
import { DataFieldType, DataSchema } from './session-spec';

function typeOf(value: unknown): DataFieldType | 'null' | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  if (type === 'number') return Number.isFinite(value) ? 'number' : 'other';
  return type === 'string' || type === 'boolean' || type === 'object' ? type : 'other';
}

function valueAt(data: Record<string, unknown>, path: string): { found: boolean; value: unknown } {
  let value: unknown = data;
  for (const part of path.split('.')) {
    if (typeOf(value) !== 'object' || !Object.hasOwn(value as object, part)) return { found: false, value: undefined };
    value = (value as Record<string, unknown>)[part];
  }
  return { found: true, value };
}

/** Checks session data against a spec's schema; every violation names its field. */
export function validateSessionData(data: Record<string, unknown>, schema: DataSchema | undefined): void {
  if (!schema) return;
  const errors: FieldError[] = [];
  for (const [path, rule] of Object.entries(schema)) {
    const field = `data.${path}`;
    const { found, value } = valueAt(data, path);
    if (!found || value === null) {
      if (rule.required) errors.push({ field, message: `${field} is required by the session spec` });
      continue;
    }
    if (typeOf(value) !== rule.type) errors.push({ field, message: `${field} must be of type ${rule.type}` });
  }
  if (errors.length > 0) {
    throw new DomainError('INVALID_SESSION_DATA', errors.map((error) => error.message).join('; '), errors);
  }
}
