import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SessionCatalog } from '@waymark/domain';
import { ConfigError } from './env';
import { waymarkConfigSchema } from './waymark-config.schema';

export const DEFAULT_CONFIG_FILE = 'waymark.config.json';
/** Shipped beside the code so a fresh clone works with the seed's example as is. */
export const EXAMPLE_CONFIG_FILE = 'waymark.config.example.json';

export interface LoadedCatalog {
  catalog: SessionCatalog;
  /** Which file the catalog came from, for the start-up log. */
  source: string;
}

/**
 * Loads products and session specs. An explicit `WAYMARK_CONFIG` must exist; without
 * one, `waymark.config.json` is used when present and the shipped example otherwise.
 */
export function loadSessionCatalog(explicitPath: string | undefined, cwd = process.cwd()): LoadedCatalog {
  const source = pickConfigFile(explicitPath, cwd);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(source, 'utf8'));
  } catch (error) {
    throw new ConfigError(`WAYMARK_CONFIG: cannot read ${source}: ${(error as Error).message}`);
  }
  const parsed = waymarkConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`WAYMARK_CONFIG: ${source} is invalid:\n${problems.join('\n')}`);
  }
  return { catalog: new SessionCatalog(parsed.data.products), source };
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
