import { ChildProcess } from 'node:child_process';
import { TEST_KEY } from './api-app';
import { spawnBuiltApp } from './spawn-built-app';

export { waitForExit } from './spawn-built-app';

export interface SpawnedApi {
  process: ChildProcess;
  baseUrl: string;
  output: () => string;
}

/** The built API, embedded on `dataDir`, as a real process (for kill -9 tests). */
export async function spawnApi(dataDir: string, timeoutMs = 20_000): Promise<SpawnedApi> {
  const app = await spawnBuiltApp('api', { DATA_DIR: dataDir, NODE_ENV: 'test', WAYMARK_BOOTSTRAP_KEY: TEST_KEY }, timeoutMs);
  return { process: app.process, baseUrl: app.url, output: app.output };
}
