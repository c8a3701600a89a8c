import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ProductDefinition, SessionSpec } from '@waymark/domain';
import { ConfigError } from './config-error';
import { ProductRetention } from './retention';
import { describeConfigFileProblems } from './strict/config-file-problems';
import { ApiKeyEntry, waymarkConfigSchema } from './waymark-config.schema';

export const DEFAULT_CONFIG_FILE = 'waymark.config.json';
/** Shipped beside the code so a fresh clone works with the seed's example as is. */
export const EXAMPLE_CONFIG_FILE = 'waymark.config.example.json';

export interface WaymarkConfig {
  products: ProductDefinition[];
  /** Specs named in the file, created at start-up if the spec store never had them. */
  seedSpecs: Array<{ product: string; spec: SessionSpec }>;
  apiKeys: ApiKeyEntry[];
  /**
   * Whether the file has an `apiKeys` member at all. Only a file without one (and no
   * WAYMARK_BOOTSTRAP_KEY) may run in open development mode; an empty list is refused.
   */
  apiKeysDeclared: boolean;
  /**
   * The products that configure a retention (docs/retention.md); the others keep events
   * forever. Optional so that a config built in code (the OpenAPI build) needs none.
   */
  retention?: ProductRetention[];
  /** Which file it came from, for the start-up log. */
  source: string;
}

/**
 * Loads products, seed specs and API keys. An explicit `WAYMARK_CONFIG` must exist;
 * without one, `waymark.config.json` is used when present and the shipped example
 * otherwise.
 */
export function loadWaymarkConfig(explicitPath: string | undefined, cwd = process.cwd()): WaymarkConfig {
  const source = pickConfigFile(explicitPath, cwd);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(source, 'utf8'));
  } catch (error) {
    throw new ConfigError(`WAYMARK_CONFIG: cannot read ${source}: ${(error as Error).message}`);
  }
  const parsed = waymarkConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeConfigFileProblems(waymarkConfigSchema, source, parsed.error.issues));
  return {
    products: parsed.data.products.map(({ tag, name, envs }) => ({ tag, name, envs })),
    seedSpecs: parsed.data.products.flatMap((product) => product.sessions.map((spec) => ({ product: product.tag, spec }))),
    apiKeys: parsed.data.apiKeys ?? [],
    apiKeysDeclared: parsed.data.apiKeys !== undefined,
    retention: parsed.data.products.flatMap(({ tag, retention }) =>
      retention ? [{ product: tag, ...(retention.days === undefined ? {} : { days: retention.days }), envs: retention.envs ?? {} }] : [],
    ),
    source,
  };
}

function pickConfigFile(explicitPath: string | undefined, cwd: string): string {
  if (explicitPath) {
    const path = resolve(cwd, explicitPath);
    if (!existsSync(path)) throw new ConfigError(`WAYMARK_CONFIG: file not found: ${path}`);
    return path;
  }
  const local = resolve(cwd, DEFAULT_CONFIG_FILE);
  if (existsSync(local)) return local;
  const example = resolve(cwd, EXAMPLE_CONFIG_FILE);
  if (existsSync(example)) return example;
  throw new ConfigError(`WAYMARK_CONFIG: neither ${DEFAULT_CONFIG_FILE} nor ${EXAMPLE_CONFIG_FILE} found in ${cwd}`);
}
