import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './env';
import { loadWaymarkConfig } from './load-waymark-config';

function dirWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'wm-config-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const product = {
  tag: 'shop',
  name: 'Shop',
  envs: ['prd'],
  sessions: [{ tag: 'checkout', name: 'Checkout', selector: 'details.email' }],
};

describe('loadWaymarkConfig', () => {
  it('falls back to the shipped example, which serves the seed example as is', () => {
    const { products, seedSpecs, source } = loadWaymarkConfig(undefined, join(__dirname, '../../..'));
    expect(source).toMatch(/waymark\.config\.example\.json$/);
    expect(products.find((product) => product.tag === 'my-product-tag')?.envs).toContain('snd');
    expect(seedSpecs).toContainEqual({ product: 'my-product-tag', spec: expect.objectContaining({ tag: 'session-tag', selector: 'userId' }) });
  });

  it('prefers waymark.config.json and fills default lifetimes', () => {
    const dir = dirWith({ 'waymark.config.json': { products: [product] }, 'waymark.config.example.json': { products: [] } });
    const [{ spec }] = loadWaymarkConfig(undefined, dir).seedSpecs;
    expect(spec.expiry).toEqual({ value: 1, unit: 'hours' });
    expect(spec.refreshExpiry).toEqual({ value: 30, unit: 'days' });
  });

  it('names the setting and the field when the file is wrong', () => {
    const dir = dirWith({ 'bad.json': { products: [{ ...product, sessions: [{ tag: 'x', name: 'X', selector: 'a..b' }] }] } });
    expect(() => loadWaymarkConfig('bad.json', dir)).toThrow(ConfigError);
    expect(() => loadWaymarkConfig('bad.json', dir)).toThrow(/WAYMARK_CONFIG: .*bad\.json is invalid:\n {2}products\.0\.sessions\.0\.selector/);
  });

  it('refuses an API key of an unknown product and one with a clear-text secret', () => {
    const key = { id: 'abcdef123456', name: 'k', product: 'nope', envs: ['*'], roles: ['secret'], secretHash: 'sha256:' + 'a'.repeat(43) };
    const dir = dirWith({
      'keys.json': { products: [product], apiKeys: [key] },
      'clear.json': { products: [product], apiKeys: [{ ...key, product: 'shop', secretHash: 'hunter2' }] },
    });
    expect(() => loadWaymarkConfig('keys.json', dir)).toThrow("apiKeys.0.product: unknown product 'nope'");
    expect(() => loadWaymarkConfig('clear.json', dir)).toThrow('apiKeys.0.secretHash');
  });

  it('refuses duplicate session tags, a missing explicit file and invalid JSON', () => {
    const duplicate = { products: [{ ...product, sessions: [product.sessions[0], product.sessions[0]] }] };
    const dir = dirWith({ 'dup.json': duplicate, 'broken.json': '{ nope' });
    expect(() => loadWaymarkConfig('dup.json', dir)).toThrow("duplicate session tag 'checkout'");
    expect(() => loadWaymarkConfig('missing.json', dir)).toThrow('file not found');
    expect(() => loadWaymarkConfig('broken.json', dir)).toThrow('cannot read');
  });

  describe('strict: an unknown key anywhere stops start-up, naming it and the nearest valid key', () => {
    const key = { id: 'abcdef123456', name: 'k', product: 'shop', envs: ['*'], roles: ['secret'], secretHash: 'sha256:' + 'a'.repeat(43) };
    const load = (content: unknown) => {
      const dir = dirWith({ 'waymark.config.json': content });
      try {
        loadWaymarkConfig('waymark.config.json', dir);
      } catch (error) {
        return (error as Error).message.replaceAll(join(dir, 'waymark.config.json'), 'waymark.config.json');
      }
      return 'loaded';
    };

    it('at the top level: a misspelt apiKeys no longer means open development mode', () => {
      expect(load({ products: [product], apiKey: [key] })).toBe('WAYMARK_CONFIG: waymark.config.json: unknown key "apiKey" at (root); did you mean "apiKeys"?');
    });

    it('in a product, a session spec, its durations, its schema and an API key', () => {
      expect(load({ products: [{ ...product, session: [] }] })).toBe(
        'WAYMARK_CONFIG: waymark.config.json: unknown key "session" at products.0; did you mean "sessions"?',
      );
      const spec = { ...product.sessions[0], expiry: { value: 1, unit: 'hours', untis: 'x' } };
      expect(load({ products: [{ ...product, sessions: [spec] }] })).toBe(
        'WAYMARK_CONFIG: waymark.config.json: unknown key "untis" at products.0.sessions.0.expiry; did you mean "unit"?',
      );
      const typed = { ...product.sessions[0], schema: { userId: { type: 'string', requird: true } } };
      expect(load({ products: [{ ...product, sessions: [typed] }] })).toContain(
        'unknown key "requird" at products.0.sessions.0.schema.userId; did you mean "required"?',
      );
      expect(load({ products: [product], apiKeys: [{ ...key, role: ['read'] }] })).toContain('unknown key "role" at apiKeys.0; did you mean "roles"?');
      expect(load({ products: [product], apiKeys: [{ ...key, rateLimit: { perSecond: 1, burst: 1, brust: 2 } }] })).toContain('did you mean "burst"?');
    });

    it('lists every unknown key, and the valid ones when none is close', () => {
      expect(load({ products: [product], colour: 'red', prodcuts: [] }).split('\n')).toEqual([
        'WAYMARK_CONFIG: waymark.config.json: unknown key "colour" at (root); valid names: "products", "apiKeys"',
        'WAYMARK_CONFIG: waymark.config.json: unknown key "prodcuts" at (root); did you mean "products"?',
      ]);
    });

    it('refuses an empty apiKeys: it must be left out for open development mode, or hold a key', () => {
      expect(load({ products: [product], apiKeys: [] })).toMatch(/apiKeys: is empty: add a key .* or remove the member to run in open development mode/);
    });

    it('says whether the file configures keys at all, which alone decides open development mode', () => {
      const dir = dirWith({ 'none.json': { products: [product] }, 'keys.json': { products: [product], apiKeys: [key] } });
      expect(loadWaymarkConfig('none.json', dir)).toMatchObject({ apiKeys: [], apiKeysDeclared: false });
      expect(loadWaymarkConfig('keys.json', dir)).toMatchObject({ apiKeys: [key], apiKeysDeclared: true });
    });
  });
});
