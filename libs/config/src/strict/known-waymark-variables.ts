import { ConfigError } from '../config-error';
import { suggestion } from './nearest-name';

/**
 * Every `WAYMARK_*` variable one of our programs reads, in one list for all of them:
 * an operator exports one environment for the API, the projector and the CLI, so each
 * must accept what another legitimately reads, and only a name none of them knows is a
 * typo. Adding a WAYMARK_* setting anywhere means adding it here (a unit test checks
 * the apps' schemas against this list).
 */
export const KNOWN_WAYMARK_VARIABLES = [
  // The API (apps/api/src/config/api.config.ts).
  'WAYMARK_CONFIG',
  'WAYMARK_BOOTSTRAP_KEY',
  // The CLI's client commands (specs apply, replay against a running service).
  'WAYMARK_URL',
  'WAYMARK_API_KEY',
  // The test harness picks the mode with it, and the apps it spawns inherit it.
  'WAYMARK_TEST_MODE',
] as const;

const PREFIX = 'WAYMARK_';

/**
 * Stops start-up on a `WAYMARK_*` variable none of our programs reads. Only our prefix
 * is checked: the rest of the environment belongs to the shell, the platform and other
 * tools, so an unknown `PORTT` cannot be told from someone else's setting.
 */
export function assertKnownWaymarkVariables(env: NodeJS.ProcessEnv): void {
  const unknown = Object.keys(env)
    .filter((name) => name.toUpperCase().startsWith(PREFIX) && !(KNOWN_WAYMARK_VARIABLES as readonly string[]).includes(name))
    .sort();
  if (unknown.length === 0) return;
  throw new ConfigError(unknown.map((name) => `${name}: unknown environment variable${suggestion(name, KNOWN_WAYMARK_VARIABLES)}`).join('\n'));
}
