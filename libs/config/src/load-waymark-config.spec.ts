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
    const dir = dirWith({ 'keys.json': { products: [product], apiKeys: [key] }, 'clear.json': { products: [product], apiKeys: [{ ...key, product: 'shop', secretHash: 'hunter2' }] } });
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
});
