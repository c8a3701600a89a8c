import { z } from 'zod';
import { ConfigError, parseEnv } from '../env';
import { KNOWN_WAYMARK_VARIABLES, assertKnownWaymarkVariables } from './known-waymark-variables';

describe('unknown WAYMARK_* variables stop start-up', () => {
  it('names the variable and the nearest known one', () => {
    expect(() => assertKnownWaymarkVariables({ WAYMARK_CONIFG: 'x.json' })).toThrow(
      new ConfigError('WAYMARK_CONIFG: unknown environment variable; did you mean "WAYMARK_CONFIG"?'),
    );
  });

  it('lists every unknown one, and the known names when none is close', () => {
    expect(() => assertKnownWaymarkVariables({ WAYMARK_BOOTSTRAPKEY: 'k', WAYMARK_COLOUR: 'red' })).toThrow(
      'WAYMARK_BOOTSTRAPKEY: unknown environment variable; did you mean "WAYMARK_BOOTSTRAP_KEY"?\nWAYMARK_COLOUR: unknown environment variable; valid names: "WAYMARK_CONFIG", "WAYMARK_BOOTSTRAP_KEY", "WAYMARK_URL", "WAYMARK_API_KEY", "WAYMARK_TEST_MODE"',
    );
  });

  it('catches the prefix in any case, since a lowercase name is the same typo', () => {
    expect(() => assertKnownWaymarkVariables({ waymark_config: 'x.json' })).toThrow('did you mean "WAYMARK_CONFIG"?');
  });

  it('accepts what any of our programs reads, and leaves other prefixes alone', () => {
    const env = Object.fromEntries(KNOWN_WAYMARK_VARIABLES.map((name) => [name, 'x']));
    expect(() => assertKnownWaymarkVariables({ ...env, PATH: '/bin', KAFKA_BROKER: 'x', WAYMARKED: 'other tool' })).not.toThrow();
  });

  it('is part of every app parsing its environment', () => {
    expect(() => parseEnv(z.object({ PORT: z.string().optional() }), { WAYMARK_UR: 'http://x' })).toThrow('did you mean "WAYMARK_URL"?');
  });
});
