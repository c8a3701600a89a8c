import { DomainError } from '../errors/domain-error';
import { MAX_IDENTIFIER_LENGTH, hasControlCharacter } from '../events/read-model-limits';

/**
 * Reads the user's identifier out of session data by the spec's selector (a dotted
 * path). The identifier keys revocation, lists and analytics, so it must be a
 * non-empty primitive: objects and arrays would make two users indistinguishable. It is
 * also a key in the read model, so it keeps to the read model's limits (length, no
 * control characters) or the session is refused before anything is recorded.
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
  if (typeof value === 'string' && value.length > 0 && value.length <= MAX_IDENTIFIER_LENGTH && !hasControlCharacter(value)) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  throw DomainError.forField(
    'IDENTIFIER_MISSING',
    field,
    `${field} must be a non-empty string (at most ${MAX_IDENTIFIER_LENGTH} characters, no control characters), a finite number or a boolean`,
  );
}
