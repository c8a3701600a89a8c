import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** The parts of V8's `.cpuprofile` (what `node --cpu-prof` writes) this summary reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export interface ProfileEntry {
  name: string;
  /** Self time in milliseconds. */
  selfMs: number;
  /** Share of the window's busy time (idle excluded). */
  percent: number;
}

export interface ProfileSummary {
  /** Wall time covered by the samples taken into account. */
  windowMs: number;
  /** Sampled time spent not idle: JavaScript, native code, GC. */
  busyMs: number;
  idleMs: number;
  byFunction: ProfileEntry[];
  /** Inclusive time: the function and everything it called (a recursive frame counts once). */
  byFunctionTotal: ProfileEntry[];
  byFile: ProfileEntry[];
  byPackage: ProfileEntry[];
}

/** Monotonic microseconds, the clock V8 stamps profiles with (same as process.hrtime). */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

const IDLE = '(idle)';

/**
 * Sums self time per function, per file and per package, from the sample timeline
 * rather than hit counts, so uneven sampling intervals are weighed correctly.
 * With a window, only samples taken inside it count (e.g. only while load ran,
 * leaving out start-up and module compilation).
 */
export function summariseCpuProfile(path: string, root: string, window?: ProfileWindow): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const byFunction = new Map<string, number>();
  const byFunctionTotal = new Map<string, number>();
  const byFile = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let time = profile.startTime;
  let busyUs = 0;
  let idleUs = 0;
  let firstUs = Number.POSITIVE_INFINITY;
  let lastUs = 0;

  for (let i = 0; i < profile.samples.length; i += 1) {
    time += profile.timeDeltas[i];
    // A sample's weight is the time until the next one (the last one weighs nothing known).
    const weight = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
    if (window && (time < window.fromUs || time > window.toUs)) continue;
    firstUs = Math.min(firstUs, time);
    lastUs = Math.max(lastUs, time + weight);
    const frame = frames.get(profile.samples[i]);
    if (!frame) continue;
    if (frame.functionName === IDLE) {
      idleUs += weight;
      continue;
    }
    busyUs += weight;
    const file = fileOf(frame, root);
    add(byFunction, functionKey(frame, root), weight);
    const onStack = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parents.get(id)) {
      const caller = frames.get(id);
      if (caller && caller.functionName !== '(root)') onStack.add(functionKey(caller, root));
    }
    for (const key of onStack) add(byFunctionTotal, key, weight);
    add(byFile, file, weight);
    add(byPackage, packageOf(file), weight);
  }

  const entries = (map: Map<string, number>): ProfileEntry[] =>
    [...map.entries()].map(([name, us]) => ({ name, selfMs: us / 1000, percent: busyUs > 0 ? (100 * us) / busyUs : 0 })).sort((a, b) => b.selfMs - a.selfMs);

  return {
    windowMs: lastUs > firstUs ? (lastUs - firstUs) / 1000 : 0,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    byFunction: entries(byFunction),
    byFunctionTotal: entries(byFunctionTotal),
    byFile: entries(byFile),
    byPackage: entries(byPackage),
  };
}

function functionKey(frame: CallFrame, root: string): string {
  const file = fileOf(frame, root);
  return `${frame.functionName || '(anonymous)'} ${file}${frame.lineNumber >= 0 ? `:${frame.lineNumber + 1}` : ''}`;
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

/** Repository files relative to its root, node's own modules as `node:...`, native code as `(native)`. */
function fileOf(frame: CallFrame, root: string): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const url = frame.url.startsWith('file://') ? decodeURIComponent(frame.url.slice('file://'.length)) : frame.url;
  return url.startsWith('/') ? relative(root, url) : url;
}

/** `node_modules/@scope/name/...` → `@scope/name`; repository code → its lib or app; node internals → `node`. */
function packageOf(file: string): string {
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = file.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (file.startsWith('node:')) return 'node (internals)';
  const own = /^(apps|libs|bench|test)\/([^/]+)/.exec(file);
  if (own) return `${own[1]}/${own[2]}`;
  return file;
}

/** A plain-text table of the top entries, for the terminal and for pasting into the docs. */
export function formatProfileTable(title: string, entries: ProfileEntry[], top: number): string {
  const lines = [`${title}`, '  self ms   share  name'];
  for (const entry of entries.slice(0, top)) {
    lines.push(`${entry.selfMs.toFixed(0).padStart(8)}  ${entry.percent.toFixed(1).padStart(5)}%  ${entry.name}`);
  }
  return lines.join('\n');
}
