/**
 * How a fuzz run is drawn. The default seed is fixed so `npm test` is repeatable; a
 * failure prints the seed and fast-check's path, and FUZZ_SEED / FUZZ_PATH replay it.
 * FUZZ_RUNS trades time for depth (a longer hunt outside CI: FUZZ_RUNS=2000).
 */
export interface FuzzSettings {
  seed: number;
  path: string | undefined;
  runsPerOperation: number;
}

const DEFAULT_SEED = 20261203;
/** ~30 operations × 100 requests (more where a body has many places): about 25–35 s embedded and 55–80 s distributed on 2 shared cores. */
const DEFAULT_RUNS = 100;

export function fuzzSettings(env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  return {
    seed: integerSetting(env, 'FUZZ_SEED', DEFAULT_SEED),
    path: env.FUZZ_PATH || undefined,
    runsPerOperation: integerSetting(env, 'FUZZ_RUNS', DEFAULT_RUNS),
  };
}

function integerSetting(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, not ${JSON.stringify(raw)}`);
  return value;
}
