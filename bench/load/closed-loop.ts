import autocannon from 'autocannon';
import { Progress } from '../support/progress';

export interface ClosedLoopOptions {
  url: string;
  connections: number;
  durationS: number;
  method?: 'GET' | 'POST';
  /** JSON body; `[<id>]` in it is replaced by a fresh id per request. */
  body?: string;
  /** JSON bodies sent in turn, one per request (across all connections), instead of `body`. */
  bodies?: readonly string[];
  label: string;
}

export interface ClosedLoopResult {
  /** 2xx answers per second over the run. */
  okPerSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  p50Ms: number;
  p97_5Ms: number;
  p99Ms: number;
  maxMs: number;
  durationS: number;
}

/**
 * autocannon's closed loop (each connection sends its next request when the previous
 * answer arrived): the throughput a fixed number of clients can get, with latency.
 * Runs in the calling process, which must not be the server's.
 */
export function closedLoop(options: ClosedLoopOptions, progress: Progress): Promise<ClosedLoopResult> {
  return new Promise((resolve, reject) => {
    let seconds = 0;
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationS,
        method: options.method ?? 'GET',
        headers: options.body || options.bodies ? { 'content-type': 'application/json' } : {},
        body: options.body,
        idReplacement: options.body?.includes('[<id>]') ?? false,
        ...(options.bodies ? { requests: [{ setupRequest: nextBodyOf(options.bodies) }] } : {}),
        timeout: 10,
      },
      (error, result) => {
        progress.clear();
        if (error) return reject(error);
        resolve(summariseResult(result));
      },
    );
    // 'tick' fires once a second with that second's count: cheaper than a listener per response.
    instance.on('tick', ({ counter }: { counter: number }) => {
      seconds += 1;
      progress.update(`${options.label}: ${seconds}/${options.durationS} s, ${counter.toLocaleString('en-US')} answers in the last second`);
    });
  });
}

/** autocannon's per-request hook handing out `bodies` in turn. */
function nextBodyOf(bodies: readonly string[]): (request: autocannon.Request) => autocannon.Request {
  let next = 0;
  return (request) => {
    const body = bodies[next];
    next = (next + 1) % bodies.length;
    return { ...request, body };
  };
}

/** autocannon's result as the benchmarks report it. */
export function summariseResult(result: autocannon.Result): ClosedLoopResult {
  return {
    okPerSecond: result['2xx'] / result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count])),
    p50Ms: result.latency.p50,
    p97_5Ms: result.latency.p97_5,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    durationS: result.duration,
  };
}
