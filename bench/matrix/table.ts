import { JsonReport } from '../support/report';

/** One run of one benchmark in one cell: its report (from run.ts --json), or why there is none. */
export interface CellRun {
  cell: string;
  benchmark: string;
  round: number;
  loadAverage: number;
  report?: JsonReport['benchmarks'][number]['runs'][number];
  /** The cell's process failed before writing a report (its log says why). */
  error?: string;
}

/**
 * The matrix as one markdown table: a row per benchmark figure (the key figures, then
 * each target's verdict), a column per cell, the rounds' values side by side in a cell
 * (`a · b`) so drift and spread show instead of being averaged away.
 */
export function matrixTable(benchmarks: readonly string[], cells: readonly string[], runs: readonly CellRun[]): string {
  const rows: string[][] = [];
  const valuesOf = (benchmark: string, cell: string, pick: (run: CellRun) => string) =>
    runs
      .filter((run) => run.benchmark === benchmark && run.cell === cell)
      .sort((a, b) => a.round - b.round)
      .map(pick)
      .join(' · ');
  for (const benchmark of benchmarks) {
    const own = runs.filter((run) => run.benchmark === benchmark);
    // A benchmark that marks no key figure is represented by its first.
    const keyFigures = (run: CellRun) =>
      run.report?.figures.some((figure) => figure.key) ? run.report.figures.filter((figure) => figure.key) : (run.report?.figures.slice(0, 1) ?? []);
    const labels = unique(own.flatMap((run) => keyFigures(run).map((figure) => figure.label)));
    const targets = unique(own.flatMap((run) => run.report?.verdicts.filter((verdict) => verdict.met !== undefined).map((verdict) => verdict.target) ?? []));
    for (const label of labels) {
      rows.push([
        `${benchmark}: ${label}`,
        ...cells.map((cell) => valuesOf(benchmark, cell, (run) => run.report?.figures.find((figure) => figure.label === label)?.value ?? '—')),
      ]);
    }
    for (const target of targets) {
      rows.push([
        `${benchmark}: **${target}**`,
        ...cells.map((cell) =>
          valuesOf(benchmark, cell, (run) => {
            const verdict = run.report?.verdicts.find((candidate) => candidate.target === target);
            return verdict ? `${verdict.met ? '**PASS**' : verdict.outcome} (${verdict.actual})` : '—';
          }),
        ),
      ]);
    }
    rows.push([`${benchmark}: load average before`, ...cells.map((cell) => valuesOf(benchmark, cell, (run) => String(run.loadAverage)))]);
    rows.push([`${benchmark}: run`, ...cells.map((cell) => valuesOf(benchmark, cell, status))]);
  }
  const header = ['benchmark: figure', ...cells];
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.map(escapeCell).join(' | ')} |`).join('\n');
}

function status(run: CellRun): string {
  if (run.error) return `FAILED: ${run.error}`;
  if (run.report?.error) return `FAILED: ${run.report.error.split('\n')[0]}`;
  if (run.report?.failures.length) return `FAILED: ${run.report.failures.join('; ')}`;
  return 'ok';
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
