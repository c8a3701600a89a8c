import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWaymarkConfig } from './load-waymark-config';
import { DAY_MS, retentionCutoffs } from './retention';

const product = { tag: 'shop', name: 'Shop', envs: ['dev', 'prd'] };

/** Loads a config file holding `products`; answers the config or the error's message (the file's path shortened). */
function load(products: unknown[]): ReturnType<typeof loadWaymarkConfig> | string {
  const dir = mkdtempSync(join(tmpdir(), 'wm-retention-'));
  writeFileSync(join(dir, 'waymark.config.json'), JSON.stringify({ products }));
  try {
    return loadWaymarkConfig('waymark.config.json', dir);
  } catch (error) {
    return (error as Error).message.replaceAll(join(dir, 'waymark.config.json'), 'waymark.config.json');
  }
}

describe('retention in the config file', () => {
  it('reads days and per-env overrides per product; a product without retention keeps its events forever', () => {
    const config = load([
      { ...product, retention: { days: 400, envs: { dev: 30 } } },
      { ...product, tag: 'blog' },
    ]);
    expect(config).toMatchObject({ retention: [{ product: 'shop', days: 400, envs: { dev: 30 } }] });
  });

  it('accepts an env override alone (the other envs keep theirs forever)', () => {
    expect(load([{ ...product, retention: { envs: { dev: 7 } } }])).toMatchObject({ retention: [{ product: 'shop', envs: { dev: 7 } }] });
  });

  it('refuses, naming the field: an env the product does not have, an empty entry, days that are not whole positive days, a typo', () => {
    expect(load([{ ...product, retention: { days: 30, envs: { stg: 7 } } }])).toBe(
      "WAYMARK_CONFIG: waymark.config.json is invalid:\n  products.0.retention.envs.stg: unknown env 'stg' (the product's envs: dev, prd)",
    );
    expect(load([{ ...product, retention: {} }])).toContain('products.0.retention: give `days`, `envs` or both');
    expect(load([{ ...product, retention: { days: 0 } }])).toContain('products.0.retention.days');
    expect(load([{ ...product, retention: { days: 1.5 } }])).toContain('products.0.retention.days');
    expect(load([{ ...product, retention: { days: 40_000 } }])).toContain('products.0.retention.days');
    expect(load([{ ...product, retention: { days: 30, envs: { dev: -1 } } }])).toContain('products.0.retention.envs.dev');
    expect(load([{ ...product, retention: { day: 30 } }])).toContain(
      'WAYMARK_CONFIG: waymark.config.json: unknown key "day" at products.0.retention; did you mean "days"?',
    );
  });
});

describe('retentionCutoffs', () => {
  const now = Date.UTC(2026, 11, 3, 12);

  it('gives the product default for every env but the overridden ones, and one cutoff per override', () => {
    expect(retentionCutoffs([{ product: 'shop', days: 400, envs: { dev: 30, snd: 60 } }], now)).toEqual([
      { product: 'shop', exceptEnvs: ['dev', 'snd'], days: 400, before: now - 400 * DAY_MS },
      { product: 'shop', env: 'dev', exceptEnvs: [], days: 30, before: now - 30 * DAY_MS },
      { product: 'shop', env: 'snd', exceptEnvs: [], days: 60, before: now - 60 * DAY_MS },
    ]);
  });

  it('has no default cutoff without days, and none at all without retention', () => {
    expect(retentionCutoffs([{ product: 'shop', envs: { dev: 1 } }], now)).toEqual([
      { product: 'shop', env: 'dev', exceptEnvs: [], days: 1, before: now - DAY_MS },
    ]);
    expect(retentionCutoffs([], now)).toEqual([]);
  });
});
