import { DomainError } from '../errors/domain-error';
import { selectIdentifier } from './identifier-selector';

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a refusal');
}

describe('selectIdentifier', () => {
  it('reads a top-level field, as in the seed example (data.userId)', () => {
    expect(selectIdentifier({ userId: '1919102009383', details: { username: 'feekayo' } }, 'userId')).toBe('1919102009383');
  });

  it('follows a dotted path and turns numbers and booleans into strings', () => {
    expect(selectIdentifier({ details: { email: 'a@b.c' } }, 'details.email')).toBe('a@b.c');
    expect(selectIdentifier({ id: 42 }, 'id')).toBe('42');
    expect(selectIdentifier({ flag: true }, 'flag')).toBe('true');
  });

  it.each([
    ['missing', {}, 'userId'],
    ['null', { userId: null }, 'userId'],
    ['an object', { userId: { a: 1 } }, 'userId'],
    ['an array', { userId: ['a'] }, 'userId'],
    ['empty', { userId: '' }, 'userId'],
    ['not finite', { userId: Number.NaN }, 'userId'],
    ['through a primitive', { details: 'x' }, 'details.email'],
    ['inherited', {}, 'constructor'],
    ['too long for the read model', { userId: 'u'.repeat(257) }, 'userId'],
    ['holding a control character', { userId: 'user\n1' }, 'userId'],
    ['holding a NUL', { userId: 'user\u00001' }, 'userId'],
  ])('refuses an identifier that is %s, naming the field', (_case, data, selector) => {
    const error = refusal(() => selectIdentifier(data, selector));
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('IDENTIFIER_MISSING');
    expect(error.fieldErrors[0].field).toBe(`data.${selector}`);
  });
});
