import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProfileWindow } from '../profile/cpu-profile';
import { ManagedProcess, ProfileRequest, startTsProcess } from './ts-process';

export interface ApiProcess {
  url: string;
  pid: number;
  process: ManagedProcess;
  /** The server's monotonic clock in µs, for cutting its CPU profile to a window. */
  mark(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the embedded API in its own process with a fresh data directory and the
 * shipped defaults (LOG_LEVEL info: 2xx requests are not logged). Only the address,
 * the data directory and, when profiling, --cpu-prof differ from `npm start`.
 */
export async function startApiProcess(dataDir: string, profile?: ProfileRequest, extraEnv: NodeJS.ProcessEnv = {}): Promise<ApiProcess> {
  mkdirSync(dataDir, { recursive: true });
  if (profile) mkdirSync(profile.dir, { recursive: true });
  const managed = startTsProcess(join(__dirname, '../processes/api-server.ts'), {
    env: { ...extraEnv, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' },
    profile,
  });
  const ready = await managed.waitFor<{ type: 'ready'; url: string; pid: number }>('ready');
  return {
    url: ready.url,
    pid: ready.pid,
    process: managed,
    mark: async () => (await managed.request<{ type: 'marked'; us: number }>({ type: 'mark' }, 'marked')).us,
    stop: async () => {
      const code = await managed.stop();
      if (code !== 0) throw new Error(`the API process exited with ${code}\n${managed.log}`);
    },
  };
}

/** Runs `during` and notes the server's clock around it: the window its CPU profile is cut to. */
export async function measured<T>(api: ApiProcess, during: () => Promise<T>): Promise<{ value: T; window: ProfileWindow }> {
  const fromUs = await api.mark();
  const value = await during();
  const toUs = await api.mark();
  return { value, window: { fromUs, toUs } };
}
