import { erasureBenchmark } from './erasure.bench';
import { freshnessBenchmark } from './freshness.bench';
import { kafkaProjectorBenchmark } from './kafka-projector.bench';
import { kafkaStartSessionBenchmark } from './kafka-start-session.bench';
import { memoryBenchmark } from './memory.bench';
import { poisonProjectorBenchmark } from './poison.bench';
import { poisonFreshnessBenchmark } from './poison-freshness.bench';
import { projectorBenchmark } from './projector.bench';
import { replayBenchmark } from './replay.bench';
import { revocationBenchmark } from './revocation.bench';
import { activityBenchmark, refreshBenchmark, verifyBenchmark } from './session-methods.bench';
import { startSessionBenchmark, startSessionReturningBenchmark } from './start-session.bench';
import { Benchmark } from './support/benchmark';

/**
 * Every benchmark `npm run bench` runs, in this order. A new one is a `<name>.bench.ts`
 * module exporting a Benchmark (or two), added here.
 */
export const BENCHMARKS: readonly Benchmark[] = [
  startSessionBenchmark,
  startSessionReturningBenchmark,
  verifyBenchmark,
  refreshBenchmark,
  activityBenchmark,
  projectorBenchmark,
  replayBenchmark,
  freshnessBenchmark,
  memoryBenchmark,
  kafkaStartSessionBenchmark,
  kafkaProjectorBenchmark,
  poisonProjectorBenchmark,
  poisonFreshnessBenchmark,
  erasureBenchmark,
  revocationBenchmark,
];
