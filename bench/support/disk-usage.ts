import { execFileSync } from 'node:child_process';

/** Bytes a path takes on disk, as `du` counts them (allocated blocks, what an operator sees). */
export function diskUsage(path: string): number {
  const output = execFileSync('du', ['-s', '--block-size=1', path], { encoding: 'utf8' });
  return Number(output.split(/\s+/)[0]);
}
