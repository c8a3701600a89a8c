import { DomainError } from '../errors/domain-error';
import { validateSessionData } from './session-data-validator';

describe('validateSessionData', () => {
  const schema = {
    userId: { type: 'string' as const, required: true },
    'details.age': { type: 'number' as const },
    'details.tags': { type: 'array' as const },
  };

  it('accepts data that follows the schema, and anything when there is no schema', () => {
    expect(() => validateSessionData({ userId: 'u', details: { age: 3, tags: [] } }, schema)).not.toThrow();
    expect(() => validateSessionData({ userId: 'u' }, schema)).not.toThrow();
    expect(() => validateSessionData({ anything: true }, undefined)).not.toThrow();
  });

  it('names every field at fault', () => {
    try {
      validateSessionData({ details: { age: 'old', tags: {} } }, schema);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).fieldErrors.map((e) => e.field)).toEqual(['data.userId', 'data.details.age', 'data.details.tags']);
    }
  });
});
