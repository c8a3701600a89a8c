import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './env';
import { loadSessionCatalog } from './load-waymark-config';

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

describe('loadSessionCatalog', () => {
  it('falls back to the shipped example, which serves the seed example as is', () => {
    const { catalog, source } = loadSessionCatalog(undefined, join(__dirname, '../../..'));
    expect(source).toMatch(/waymark\.config\.example\.json$/);
    expect(catalog.resolve('my-product-tag', 'snd', 'session-tag').selector).toBe('userId');
  });

  it('prefers waymark.config.json and fills default lifetimes', () => {
    const dir = dirWith({ 'waymark.config.json': { products: [product] }, 'waymark.config.example.json': { products: [] } });
    const spec = loadSessionCatalog(undefined, dir).catalog.resolve('shop', 'prd', 'checkout');
    expect(spec.expiry).toEqual({ value: 1, unit: 'hours' });
    expect(spec.refreshExpiry).toEqual({ value: 30, unit: 'days' });
  });

  it('names the setting and the field when the file is wrong', () => {
    const dir = dirWith({ 'bad.json': { products: [{ ...product, sessions: [{ tag: 'x', name: 'X', selector: 'a..b' }] }] } });
    expect(() => loadSessionCatalog('bad.json', dir)).toThrow(ConfigError);
    expect(() => loadSessionCatalog('bad.json', dir)).toThrow(/WAYMARK_CONFIG: .*bad\.json is invalid:\n {2}products\.0\.sessions\.0\.selector/);
  });

  it('refuses duplicate session tags, a missing explicit file and invalid JSON', () => {
    const duplicate = { products: [{ ...product, sessions: [product.sessions[0], product.sessions[0]] }] };
    const dir = dirWith({ 'dup.json': duplicate, 'broken.json': '{ nope' });
    expect(() => loadSessionCatalog('dup.json', dir)).toThrow("duplicate session tag 'checkout'");
    expect(() => loadSessionCatalog('missing.json', dir)).toThrow('file not found');
    expect(() => loadSessionCatalog('broken.json', dir)).toThrow('cannot read');
  });
});
