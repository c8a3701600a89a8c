import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BENCHMARKS } from './benchmarks';
import { BenchmarkContext } from './support/benchmark';
import { describeMachine, loadAverage, machineInfo } from './support/machine';
import { Progress } from './support/progress';
import { BenchmarkRecord, RunRecord, formatRunForConsole, jsonReport, markdownBlock, runFailed, updateBenchmarksDoc } from './support/report';

const USAGE = `usage: npm run bench -- [name ...] [--quick] [--runs N] [--profile] [--no-write] [--keep-data] [--json FILE]

  name        run only these benchmarks (default: all): ${BENCHMARKS.map((benchmark) => benchmark.name).join(', ')}
  --quick     smoke run: short loads, small data; docs/benchmarks.md is left alone
  --runs N    run each benchmark N times (default 1); the docs show the runs side by side
  --profile   also write a CPU profile of the measured process (.tmp/bench/profiles) and
              print its top functions; figures are slowed by profiling, so docs are left alone
  --no-write  print only, leave docs/benchmarks.md alone
  --keep-data keep the data directories under .tmp/bench
  --json FILE also write every run's figures and verdicts as JSON to FILE (bench/matrix.ts reads it)
`;

interface Options {
  names: string[];
  quick: boolean;
  runs: number;
  profile: boolean;
  write: boolean;
  keepData: boolean;
  json?: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { names: [], quick: false, runs: 1, profile: false, write: true, keepData: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg === '--no-write') options.write = false;
    else if (arg === '--keep-data') options.keepData = true;
    else if (arg === '--runs') options.runs = Number(argv[++i]);
    else if (arg === '--json') options.json = argv[++i];
    else if (arg === '--help' || arg === '-h') exit(USAGE, 0);
    else if (arg.startsWith('-')) exit(`unknown option ${arg}\n\n${USAGE}`, 2);
    else options.names.push(arg);
  }
  if (!Number.isInteger(options.runs) || options.runs < 1) exit(`--runs takes a whole number ≥ 1\n\n${USAGE}`, 2);
  if (options.json !== undefined && (!options.json || options.json.startsWith('-'))) exit(`--json takes a file name\n\n${USAGE}`, 2);
  const unknown = options.names.filter((name) => !BENCHMARKS.some((benchmark) => benchmark.name === name));
  if (unknown.length > 0) exit(`unknown benchmark ${unknown.join(', ')}\n\n${USAGE}`, 2);
  return options;
}

function exit(message: string, code: number): never {
  (code === 0 ? process.stdout : process.stderr).write(message);
  process.exit(code);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const root = resolve(__dirname, '..');
  const selected = options.names.length > 0 ? BENCHMARKS.filter((benchmark) => options.names.includes(benchmark.name)) : BENCHMARKS;
  const machine = machineInfo();
  const stamp = machine.date.replace(/[:.]/g, '-');
  const workRoot = join(root, '.tmp/bench');
  const progress = new Progress();
  process.stdout.write(`Waymark benchmarks on ${describeMachine(machine)}${options.quick ? ' (quick smoke run)' : ''}\n\n`);

  const records: BenchmarkRecord[] = [];
  for (const benchmark of selected) {
    const record: BenchmarkRecord = { benchmark, runs: [] };
    records.push(record);
    for (let index = 0; index < options.runs; index += 1) {
      const workDir = join(workRoot, `${stamp}-${benchmark.name}-${index + 1}`);
      mkdirSync(workDir, { recursive: true });
      const context: BenchmarkContext = {
        root,
        workDir,
        quick: options.quick,
        profile: options.profile,
        profileDir: join(workRoot, 'profiles'),
        progress,
      };
      const run: RunRecord = { loadAverage: loadAverage() };
      progress.note(`${benchmark.name}: run ${index + 1}/${options.runs} started`);
      try {
        run.result = await benchmark.run(context);
      } catch (error) {
        run.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
      }
      progress.clear();
      record.runs.push(run);
      process.stdout.write(`${formatRunForConsole(benchmark, run, index, options.runs)}\n\n`);
      if (!options.keepData) rmSync(workDir, { recursive: true, force: true });
    }
  }

  if (options.write && !options.quick && !options.profile) {
    const docs = join(root, 'docs/benchmarks.md');
    const command = `npm run bench --${process.argv
      .slice(2)
      .map((arg) => ` ${arg}`)
      .join('')}`;
    const blocks = new Map(records.map((record) => [record.benchmark.name, markdownBlock(record, machine, command.replace(/ --$/, ''))]));
    updateBenchmarksDoc(
      docs,
      blocks,
      BENCHMARKS.map((benchmark) => benchmark.name),
    );
    process.stdout.write(`results written to ${docs}\n`);
  } else {
    process.stdout.write('docs/benchmarks.md left alone (quick, profile or --no-write run)\n');
  }
  if (options.json) writeFileSync(resolve(options.json), JSON.stringify(jsonReport(records, machine, options.quick), null, 2) + '\n');
  const failed = records.flatMap((record) => record.runs).filter(runFailed).length;
  if (failed > 0) {
    process.stdout.write(`${failed} failed run(s): see FAILED lines above\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
