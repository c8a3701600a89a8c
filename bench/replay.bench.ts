import { join } from 'node:path';
import { Benchmark, BenchmarkRun, fmt, formerTarget } from './support/benchmark';
import { insertFloorFailures, insertFloorFigures, insertFloorVerdict, measureInsertFloors } from './support/insert-floor';
import { startTsProcess } from './support/ts-process';

/** The absolute target before issue 18 (now: a share of the INSERT floor, same run), kept as a reported figure. */
const FORMER_TARGET_RATE = 100_000;

interface ReplayResult {
  type: 'result';
  total: number;
  status: string;
  processed: number;
  batchSize: number;
  replayMs: number;
  cpuMs: number;
  rows: number;
  unique: number;
}

/**
 * Replay rate: the whole read model rebuilt from 1 million events (shadow tables and swap
 * included); then, in the same run, the same rows INSERTed in replay's batches without
 * a replay, into `events` alone (the floor the target is a share of) and into the
 * migrated schema.
 */
export const replayBenchmark: Benchmark = {
  name: 'replay',
  title: 'Replay: rebuild the read model from the log (embedded)',
  layout:
    'its own process: append N events, then ReplayRunner from the beginning as `waymark replay --data-dir` runs it (no HTTP, no other load); then the INSERT floor and the INSERT with views, each in its own process, reading the same log',
  async run(context): Promise<BenchmarkRun> {
    const total = context.quick ? 100_000 : 1_000_000;
    const dataDir = join(context.workDir, 'replay');
    const child = startTsProcess(join(__dirname, 'processes/replay-run.ts'), { env: { BENCH_EVENTS: String(total), BENCH_DATA_DIR: dataDir } });
    child.onMessage((message) => {
      if (message.type === 'progress') context.progress.update(`replay: ${String(message.phase)} ${fmt.int(Number(message.done))} / ${fmt.int(total)} events`);
    });
    const result = await child.waitFor<ReplayResult>('result', 30 * 60_000);
    const code = await child.stop();
    context.progress.clear();
    if (code !== 0) throw new Error(`the replay process exited with ${code}\n${child.log}`);
    const rate = (result.processed * 1000) / result.replayMs;
    const floors = await measureInsertFloors(context, 'replay', dataDir, total, result.batchSize);
    const failures: string[] = [];
    if (result.status !== 'completed') failures.push(`replay ended ${result.status}`);
    if (result.unique !== total) failures.push(`the rebuilt read model holds ${result.unique} unique events of ${total}`);
    failures.push(...insertFloorFailures(floors, total));
    return {
      figures: [
        { label: 'replayed events/s (whole run: shadow tables, batches, derived tables, swap)', value: fmt.perSecond(rate), key: true },
        { label: 'events / time', value: `${fmt.int(result.processed)} / ${(result.replayMs / 1000).toFixed(2)} s` },
        { label: 'process CPU per event (all threads)', value: `${((result.cpuMs * 1000) / result.processed).toFixed(1)} µs`, key: true },
        { label: 'rows in the new read model (unique event ids)', value: `${fmt.int(result.rows)} (${fmt.int(result.unique)})` },
        ...insertFloorFigures(floors, { label: 'replay', rate }),
      ],
      verdicts: [insertFloorVerdict(floors, rate), formerTarget(`≥ ${fmt.int(FORMER_TARGET_RATE)} events/s`, rate, FORMER_TARGET_RATE, fmt.perSecond)],
      failures,
    };
  },
};
