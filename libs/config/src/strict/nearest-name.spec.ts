import { editDistance, nearestName, suggestion } from './nearest-name';

describe('nearestName: the valid name a typo most likely meant', () => {
  it('counts insertions, deletions and substitutions, ignoring case', () => {
    expect(editDistance('apiKey', 'apiKeys')).toBe(1);
    expect(editDistance('prodcuts', 'products')).toBe(2);
    expect(editDistance('WAYMARK_CONFIG', 'waymark_config')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('offers the closest name within reach', () => {
    expect(nearestName('apiKey', ['products', 'apiKeys'])).toBe('apiKeys');
    expect(nearestName('WAYMARK_BOOTSTRAPKEY', ['WAYMARK_CONFIG', 'WAYMARK_BOOTSTRAP_KEY', 'WAYMARK_API_KEY'])).toBe('WAYMARK_BOOTSTRAP_KEY');
    expect(nearestName('refreshExpiri', ['expiry', 'refreshExpiry'])).toBe('refreshExpiry');
  });

  it('offers nothing rather than a guess when no name is close', () => {
    expect(nearestName('colour', ['products', 'apiKeys'])).toBeUndefined();
    expect(suggestion('colour', ['products', 'apiKeys'])).toBe('; valid names: "products", "apiKeys"');
    expect(suggestion('apiKey', ['products', 'apiKeys'])).toBe('; did you mean "apiKeys"?');
  });
});
