import { Progress } from './progress';

/** One line of figures, as printed and as written to docs/benchmarks.md. */
export interface Figure {
  label: string;
  value: string;
  /** One of the few figures bench/matrix.ts puts side by side across runtimes and code versions. */
  key?: boolean;
}

/** A target and how a run fared against it. `met` is undefined for figures without a target. */
export interface Verdict {
  target: string;
  met: boolean | undefined;
  /** `PASS`, `MISS by 12.3%`, or `reported (no target)`. */
  outcome: string;
  actual: string;
}

export interface BenchmarkRun {
  figures: Figure[];
  verdicts: Verdict[];
  /** Anything that makes the run invalid (errors, non-2xx answers, lost data): a failed run. */
  failures: string[];
  /** Where a CPU profile was written, with its summary, when asked for. */
  profile?: { file: string; summary: string };
}

export interface BenchmarkContext {
  /** Repository root. */
  root: string;
  /** Scratch space for this run (data directories, profiles); removed unless kept. */
  workDir: string;
  /** Smoke run: short durations, small data. */
  quick: boolean;
  /** Write a CPU profile of the measured process and summarise it. */
  profile: boolean;
  profileDir: string;
  progress: Progress;
}

/**
 * A benchmark is a module that measures one path and judges it against its target.
 * Add one by writing `<name>.bench.ts` exporting a Benchmark and listing it in
 * `bench/benchmarks.ts`.
 */
export interface Benchmark {
  name: string;
  title: string;
  /** Which processes run what, since on 2 cores that decides what the figures mean. */
  layout: string;
  run(context: BenchmarkContext): Promise<BenchmarkRun>;
}

export function atLeast(target: string, actual: number, goal: number, format: (value: number) => string): Verdict {
  const met = actual >= goal;
  return { target, met, actual: format(actual), outcome: met ? 'PASS' : `MISS by ${percent((goal - actual) / goal)}` };
}

export function atMost(target: string, actual: number, goal: number, format: (value: number) => string): Verdict {
  const met = actual <= goal;
  return { target, met, actual: format(actual), outcome: met ? 'PASS' : `MISS by ${percent((actual - goal) / goal)}` };
}

/**
 * A target relative to a reference measured in the same run (a ceiling or a floor), so
 * that a busy or a quiet machine moves both and the verdict keeps its meaning:
 * met when `actual ≥ share × reference`. Shows the actual share of the reference.
 */
export function atLeastShare(target: string, actual: number, reference: number, share: number, format: (value: number) => string): Verdict {
  const verdict = atLeast(target, actual, share * reference, format);
  return { ...verdict, actual: `${format(actual)} = ${percent(actual / reference)} of ${format(reference)}` };
}

/** A target the issue replaced (absolute, machine-bound): still shown beside the actual, judged by nobody. */
export function formerTarget(target: string, actual: number, goal: number, format: (value: number) => string): Verdict {
  return reported(`former target ${target}`, `${format(actual)} = ${percent(actual / goal)} of ${format(goal)}`);
}

export function reported(target: string, actual: string): Verdict {
  return { target, met: undefined, actual, outcome: 'reported (no target)' };
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

export const fmt = {
  int: (value: number): string => Math.round(value).toLocaleString('en-US'),
  perSecond: (value: number): string => `${Math.round(value).toLocaleString('en-US')}/s`,
  ms: (value: number): string => `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ms`,
  mib: (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`,
  ratio: (value: number): string => `${(value * 100).toFixed(1)}%`,
};
