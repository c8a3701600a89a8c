import { DomainError } from '../errors/domain-error';
import { SessionCatalog } from './session-catalog';
import { SessionSpec } from './session-spec';

const spec: SessionSpec = {
  tag: 'checkout',
  name: 'Checkout',
  selector: 'userId',
  expiry: { value: 15, unit: 'minutes' },
  refreshExpiry: { value: 7, unit: 'days' },
};

function catalogWithSpec(): SessionCatalog {
  const catalog = new SessionCatalog([{ tag: 'shop', name: 'Shop', envs: ['snd', 'prd'] }]);
  catalog.put('shop', spec);
  return catalog;
}

function codeAndField(run: () => unknown): [string, string] {
  try {
    run();
  } catch (error) {
    const domainError = error as DomainError;
    return [domainError.code, domainError.fieldErrors[0]?.field];
  }
  throw new Error('expected a refusal');
}

describe('SessionCatalog', () => {
  it('resolves the spec of a known product, env and tag', () => {
    expect(catalogWithSpec().resolve('shop', 'prd', 'checkout')).toBe(spec);
  });

  it('names the field at fault for each kind of miss', () => {
    const catalog = catalogWithSpec();
    expect(codeAndField(() => catalog.resolve('nope', 'prd', 'checkout'))).toEqual(['PRODUCT_NOT_FOUND', 'product']);
    expect(codeAndField(() => catalog.resolve('shop', 'dev', 'checkout'))).toEqual(['ENV_NOT_FOUND', 'env']);
    expect(codeAndField(() => catalog.resolve('shop', 'prd', 'nope'))).toEqual(['SESSION_SPEC_NOT_FOUND', 'tag']);
  });

  it('forgets a removed spec and takes a replacement', () => {
    const catalog = catalogWithSpec();
    catalog.remove('shop', 'checkout');
    expect(codeAndField(() => catalog.resolve('shop', 'prd', 'checkout'))).toEqual(['SESSION_SPEC_NOT_FOUND', 'tag']);
    catalog.put('shop', { ...spec, name: 'Checkout v2' });
    expect(catalog.resolve('shop', 'prd', 'checkout').name).toBe('Checkout v2');
  });
});
