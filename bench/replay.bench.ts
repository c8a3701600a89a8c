import { join } from 'node:path';
import { Benchmark, BenchmarkRun, atLeast, fmt } from './support/benchmark';
import { startTsProcess } from './support/ts-process';

const TARGET_RATE = 100_000;

interface ReplayResult {
  type: 'result';
  total: number;
  status: string;
  processed: number;
  replayMs: number;
  cpuMs: number;
  rows: number;
  unique: number;
}

/** Replay rate: the whole read model rebuilt from 1 million events (shadow tables and swap included). */
export const replayBenchmark: Benchmark = {
  name: 'replay',
  title: 'Replay: rebuild the read model from the log (embedded)',
  layout: 'its own process: append N events, then ReplayRunner from the beginning as `waymark replay --data-dir` runs it (no HTTP, no other load)',
  async run(context): Promise<BenchmarkRun> {
    const total = context.quick ? 100_000 : 1_000_000;
    const child = startTsProcess(join(__dirname, 'processes/replay-run.ts'), { env: { BENCH_EVENTS: String(total), BENCH_DATA_DIR: join(context.workDir, 'replay') } });
    child.onMessage((message) => {
      if (message.type === 'progress') context.progress.update(`replay: ${String(message.phase)} ${fmt.int(Number(message.done))} / ${fmt.int(total)} events`);
    });
    const result = await child.waitFor<ReplayResult>('result', 30 * 60_000);
    const code = await child.stop();
    context.progress.clear();
    if (code !== 0) throw new Error(`the replay process exited with ${code}\n${child.log}`);
    const rate = (result.processed * 1000) / result.replayMs;
    const failures: string[] = [];
    if (result.status !== 'completed') failures.push(`replay ended ${result.status}`);
    if (result.unique !== total) failures.push(`the rebuilt read model holds ${result.unique} unique events of ${total}`);
    return {
      figures: [
        { label: 'replayed events/s (whole run: shadow tables, batches, derived tables, swap)', value: fmt.perSecond(rate) },
        { label: 'events / time', value: `${fmt.int(result.processed)} / ${(result.replayMs / 1000).toFixed(2)} s` },
        { label: 'process CPU per event (all threads)', value: `${((result.cpuMs * 1000) / result.processed).toFixed(1)} µs` },
        { label: 'rows in the new read model (unique event ids)', value: `${fmt.int(result.rows)} (${fmt.int(result.unique)})` },
      ],
      verdicts: [atLeast(`≥ ${fmt.int(TARGET_RATE)} events/s`, rate, TARGET_RATE, fmt.perSecond)],
      failures,
    };
  },
};
