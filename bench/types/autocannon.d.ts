/**
 * The part of autocannon 9's API the benchmarks use (the package ships no types and
 * @types/autocannon lags its options).
 */
declare module 'autocannon' {
  import { EventEmitter } from 'node:events';

  interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
    p99_9: number;
  }

  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    idReplacement?: boolean;
    timeout?: number;
    title?: string;
    /** Requests each connection sends in turn; `setupRequest` may rewrite one just before it leaves. */
    requests?: Array<Partial<Request> & { setupRequest?: (request: Request) => Request }>;
  }

  interface Request {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: string;
  }

  interface Result {
    title?: string;
    duration: number;
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    '2xx': number;
    statusCodeStats: Record<string, { count: number }>;
  }

  interface Instance extends EventEmitter {
    stop(): void;
  }

  function autocannon(options: Options, callback: (error: Error | null, result: Result) => void): Instance;

  namespace autocannon {
    export { Options, Result, Instance, Histogram, Request };
  }

  export = autocannon;
}
