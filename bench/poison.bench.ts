import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Benchmark, BenchmarkContext, BenchmarkRun, Figure, Verdict, atLeast, fmt, reported } from './support/benchmark';
import { ManagedProcess, startTsProcess } from './support/ts-process';

/** One poison event per this many: the rate the issue's "Done when" asks about. */
const POISON_EVERY = 10_000;
/** The poisoned drain may cost this much of the clean one's rate, no more. */
const POISONED_FLOOR = 0.5;
/** "No regression": the clean drain keeps at least this share of the code before's rate, in the same run. */
const NO_REGRESSION_FLOOR = 0.9;

interface DrainReport {
  type: 'result';
  total: number;
  batchSize: number;
  projectMs: number;
  cpuMs: number;
  stats: { batches: number; projected: number; deadLettered: number; failures: number; bisected?: number; refused?: number };
  rows: number;
  unique: number;
  deadLetters?: number;
}

/**
 * Projector throughput with no poison against one poison event per 10,000, in the same
 * run, each drain in a process of its own (bench/processes/poison-drain.ts: the
 * projector benchmark's synthetic log, every 10,000th event given a value ClickHouse
 * refuses). With BENCH_BASELINE_TREE naming a checkout of the code before (for instance
 * `git worktree add /tmp/waymark-before df3424c`, node_modules linked), that tree's own
 * projector drain runs first on as many events, for "no regression against today".
 */
export const poisonProjectorBenchmark: Benchmark = {
  name: 'poison-projector',
  title: 'Projector with poison: none vs 1 per 10,000 (SQLite log → chDB)',
  layout:
    "each drain in its own process, one after the other, nothing else running: [the code before, from BENCH_BASELINE_TREE,] no poison, 1 poison per 10,000; the API's projector settings (batch 10,000)",
  async run(context): Promise<BenchmarkRun> {
    const total = context.quick ? 50_000 : 500_000;
    const figures: Figure[] = [];
    const verdicts: Verdict[] = [];
    const failures: string[] = [];
    const describe = (label: string, report: DrainReport) => {
      figures.push(
        { label: `${label}: projected events/s (drain time)`, value: `${fmt.perSecond(rateOf(report))} (${(report.projectMs / 1000).toFixed(2)} s)` },
        {
          label: `${label}: CPU per event (all threads) / batches`,
          value: `${((report.cpuMs * 1000) / report.total).toFixed(1)} µs / ${fmt.int(report.stats.batches)}`,
        },
      );
    };

    const baselineTree = process.env.BENCH_BASELINE_TREE;
    let baseline: DrainReport | undefined;
    if (baselineTree) {
      baseline = await drain(context, 'baseline', total, 0, baselineTree);
      describe(`code before (${baselineTree})`, baseline);
    }
    const clean = await drain(context, 'clean', total, 0);
    describe('no poison', clean);
    const poisoned = await drain(context, 'poisoned', total, POISON_EVERY);
    describe(`1 poison per ${fmt.int(POISON_EVERY)}`, poisoned);

    const poisons = Math.floor(total / POISON_EVERY);
    figures.push({
      label: `1 poison per ${fmt.int(POISON_EVERY)}: batches bisected / events refused / dead letters / rows (unique)`,
      value: `${fmt.int(poisoned.stats.bisected ?? 0)} / ${fmt.int(poisoned.stats.refused ?? 0)} / ${fmt.int(poisoned.deadLetters ?? 0)} / ${fmt.int(poisoned.rows)} (${fmt.int(poisoned.unique)})`,
    });
    if (clean.rows !== total || clean.unique !== total)
      failures.push(`no poison: ClickHouse holds ${clean.rows} rows (${clean.unique} unique) for ${total} events`);
    if (poisoned.unique !== total - poisons || poisoned.rows !== total - poisons)
      failures.push(`poisoned: ClickHouse holds ${poisoned.rows} rows (${poisoned.unique} unique), expected ${total - poisons}`);
    if (poisoned.deadLetters !== poisons) failures.push(`poisoned: ${poisoned.deadLetters} dead letters for ${poisons} poison events`);
    for (const [label, report] of [
      ['no poison', clean],
      ['poisoned', poisoned],
    ] as const) {
      if (report.stats.failures > 0) failures.push(`${label}: ${report.stats.failures} failed attempts (retried)`);
    }

    if (baseline) {
      verdicts.push(
        atLeast(`no poison ≥ ${NO_REGRESSION_FLOOR * 100}% of the code before, same run`, rateOf(clean), rateOf(baseline) * NO_REGRESSION_FLOOR, fmt.perSecond),
      );
    } else {
      verdicts.push(reported('no regression against the code before', 'not measured: set BENCH_BASELINE_TREE'));
    }
    verdicts.push(
      atLeast(`1 poison per ${fmt.int(POISON_EVERY)} ≥ ${POISONED_FLOOR * 100}% of no poison`, rateOf(poisoned), rateOf(clean) * POISONED_FLOOR, fmt.perSecond),
    );
    return { figures, verdicts, failures };
  },
};

function rateOf(report: DrainReport): number {
  return (report.total * 1000) / report.projectMs;
}

/** One drain in a process of its own: this tree's poison-drain, or the baseline tree's projector-drain. */
async function drain(context: BenchmarkContext, name: string, total: number, poisonEvery: number, baselineTree?: string): Promise<DrainReport> {
  const env = { BENCH_EVENTS: String(total), BENCH_DATA_DIR: join(context.workDir, name), BENCH_POISON_EVERY: String(poisonEvery) };
  const child = baselineTree ? startBaselineDrain(baselineTree, env) : startTsProcess(join(__dirname, 'processes/poison-drain.ts'), { env });
  child.onMessage((message) => {
    if (message.type === 'progress')
      context.progress.update(`poison-projector (${name}): ${String(message.phase)} ${fmt.int(Number(message.done))} / ${fmt.int(total)} events`);
  });
  const report = await child.waitFor<DrainReport>('result', 30 * 60_000);
  const code = await child.stop();
  context.progress.clear();
  if (code !== 0) throw new Error(`the ${name} drain exited with ${code}\n${child.log}`);
  return report;
}

/** The code before runs with its own TypeScript loader, so its `@waymark/*` imports resolve inside its tree. */
function startBaselineDrain(tree: string, env: Record<string, string>): ManagedProcess {
  const entry = join(tree, 'bench/processes/projector-drain.ts');
  const register = join(tree, 'bench/support/ts-register.js');
  if (!existsSync(entry) || !existsSync(register)) throw new Error(`BENCH_BASELINE_TREE=${tree} has no bench/processes/projector-drain.ts`);
  return new ManagedProcess(
    fork(entry, [], { cwd: tree, execArgv: ['-r', register], env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }),
  );
}
