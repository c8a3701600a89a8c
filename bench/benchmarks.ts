import { freshnessBenchmark } from './freshness.bench';
import { memoryBenchmark } from './memory.bench';
import { projectorBenchmark } from './projector.bench';
import { startSessionBenchmark } from './start-session.bench';
import { Benchmark } from './support/benchmark';

/**
 * Every benchmark `npm run bench` runs, in this order. A new one (verify, refresh,
 * activity ingest, journey queries, once those endpoints exist) is a `<name>.bench.ts`
 * module exporting a Benchmark, added here.
 */
export const BENCHMARKS: readonly Benchmark[] = [startSessionBenchmark, projectorBenchmark, freshnessBenchmark, memoryBenchmark];
