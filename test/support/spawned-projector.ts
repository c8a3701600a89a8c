import { ChildProcess } from 'node:child_process';
import { spawnBuiltApp, waitForExit } from './spawn-built-app';

export interface SpawnedProjector {
  process: ChildProcess;
  healthUrl: string;
  output: () => string;
  /** SIGTERM and wait: the projector finishes its batch, commits and leaves the group. */
  stop(): Promise<void>;
}

/** The built projector as a real process, for fault tests. */
export async function spawnProjector(env: Record<string, string>, timeoutMs = 30_000): Promise<SpawnedProjector> {
  const app = await spawnBuiltApp('projector', env, timeoutMs);
  return {
    process: app.process,
    healthUrl: app.url,
    output: app.output,
    stop: async () => {
      if (app.process.exitCode === null && app.process.signalCode === null) app.process.kill('SIGTERM');
      await waitForExit(app.process);
    },
  };
}
