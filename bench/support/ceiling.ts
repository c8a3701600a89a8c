import { ClosedLoopResult, closedLoop } from '../load/closed-loop';
import { ApiProcess } from './api-process';
import { Progress } from './progress';
import { readCpuSeconds } from './proc-status';

export interface CeilingRun {
  result: ClosedLoopResult;
  /** API process CPU (user + sys, all threads) per answer, in µs. */
  cpuUsPerRequest: number;
}

/**
 * The bench-only `/bench/ceiling` route of bench/processes/api-server.ts: a constant
 * answer through the app's own hooks (and, for POST, the JSON body parser), with no
 * work behind it. What it reaches is the most any route of this process can reach
 * here; a target above it cannot be met by work on the route alone.
 *
 * A short unmeasured warm-up goes first: measured first thing in a fresh process, the
 * route ran half as fast some runs (the JIT and the sockets cold), which made the
 * ceiling, and every share of it, wrong.
 */
export async function measureCeiling(
  api: ApiProcess,
  request: { method: 'GET' | 'POST'; body?: string },
  load: { connections: number; durationS: number },
  progress: Progress,
): Promise<CeilingRun> {
  const label = `ceiling (${request.method} /bench/ceiling)`;
  await closedLoop(
    { url: `${api.url}/bench/ceiling`, ...request, connections: load.connections, durationS: Math.min(2, load.durationS), label: `${label} warm-up` },
    progress,
  );
  const cpuBefore = readCpuSeconds(api.pid);
  const result = await closedLoop({ url: `${api.url}/bench/ceiling`, ...request, ...load, label }, progress);
  const cpuSeconds = readCpuSeconds(api.pid) - cpuBefore;
  return { result, cpuUsPerRequest: (cpuSeconds * 1e6) / Math.max(1, result.ok) };
}
