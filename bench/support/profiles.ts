import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProfileWindow, formatProfileTable, summariseCpuProfile } from '../profile/cpu-profile';
import { BenchmarkContext } from './benchmark';
import { ProfileRequest } from './ts-process';

/** Where a benchmark's process writes its CPU profile, when the run asks for one. */
export function profileRequest(context: BenchmarkContext, name: string): ProfileRequest | undefined {
  if (!context.profile) return undefined;
  return { dir: context.profileDir, name: `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile` };
}

/** Summarises a written profile over the measured window and keeps the text beside it. */
export function summariseProfile(context: BenchmarkContext, request: ProfileRequest, window: ProfileWindow | undefined): { file: string; summary: string } {
  const file = join(request.dir, request.name);
  if (!existsSync(file)) return { file, summary: `no profile was written at ${file}` };
  const summary = summariseCpuProfile(file, context.root, window);
  // Kept beside the profile so summarise-cpu-profile.ts cuts it to the same window later.
  if (window) writeFileSync(windowFileFor(file), JSON.stringify(window) + '\n');
  const text = [
    `${summary.windowMs.toFixed(0)} ms in the measured window: ${summary.busyMs.toFixed(0)} ms busy on the main thread, ${summary.idleMs.toFixed(0)} ms idle`,
    formatProfileTable('by function (self time, share of busy time)', summary.byFunction, 25),
    formatProfileTable('by package', summary.byPackage, 15),
    formatProfileTable('by function, inclusive (self + callees)', summary.byFunctionTotal, 40),
  ].join('\n\n');
  writeFileSync(file.replace(/\.cpuprofile$/, '.txt'), text + '\n');
  return { file, summary: text };
}

export function windowFileFor(profileFile: string): string {
  return profileFile.replace(/\.cpuprofile$/, '.window.json');
}
