import { DomainError } from '../errors/domain-error';

/**
 * Reads the user's identifier out of session data by the spec's selector (a dotted
 * path). The identifier keys revocation, lists and analytics, so it must be a
 * non-empty primitive: objects and arrays would make two users indistinguishable.
 */
export function selectIdentifier(data: Record<string, unknown>, selector: string): string {
  const field = `data.${selector}`;
  let value: unknown = data;
  for (const part of selector.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, part)) {
      throw DomainError.forField('IDENTIFIER_MISSING', field, `${field} is required: it is this session's user identifier`);
    }
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value === 'string' && value.length > 0 && value.length <= 256) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  throw DomainError.forField(
    'IDENTIFIER_MISSING',
    field,
    `${field} must be a non-empty string (at most 256 characters), a finite number or a boolean`,
  );
}
