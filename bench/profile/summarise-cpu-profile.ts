import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { windowFileFor } from '../support/profiles';
import { ProfileWindow, formatProfileTable, summariseCpuProfile } from './cpu-profile';

/**
 * `node -r ./bench/support/ts-register.js bench/profile/summarise-cpu-profile.ts <file> [--top N]`:
 * self time by function, file and package, as text, so any `.cpuprofile` (from
 * `npm run bench -- --profile` or `node --cpu-prof`) can be read without a GUI.
 */
function main(argv: string[]): void {
  const topIndex = argv.indexOf('--top');
  const top = topIndex >= 0 ? Number(argv[topIndex + 1]) : 25;
  const files = argv.filter((arg, index) => !arg.startsWith('--') && (topIndex < 0 || index !== topIndex + 1));
  if (files.length === 0) {
    process.stderr.write('usage: summarise-cpu-profile <file.cpuprofile> [--top N]\n');
    process.exit(2);
  }
  const root = resolve(__dirname, '../..');
  for (const file of files) {
    // A profile written by `npm run bench -- --profile` has its measured window beside it.
    const windowFile = windowFileFor(resolve(file));
    const window = existsSync(windowFile) ? (JSON.parse(readFileSync(windowFile, 'utf8')) as ProfileWindow) : undefined;
    const summary = summariseCpuProfile(resolve(file), root, window);
    process.stdout.write(
      [
        `${file}${window ? ' (measured window only)' : ''}: ${summary.windowMs.toFixed(0)} ms sampled, ${summary.busyMs.toFixed(0)} ms busy, ${summary.idleMs.toFixed(0)} ms idle`,
        formatProfileTable('by function (self time)', summary.byFunction, top),
        formatProfileTable('by function, inclusive (self + callees)', summary.byFunctionTotal, top),
        formatProfileTable('by file', summary.byFile, Math.min(top, 15)),
        formatProfileTable('by package', summary.byPackage, Math.min(top, 15)),
        '',
      ].join('\n\n'),
    );
  }
}

main(process.argv.slice(2));
