import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A version of the code: a directory holding it and the files that make it. */
export interface CodeVersion {
  name: string;
  /** What it is, for the result's header. */
  describe: string;
  dir: string;
  files: string[];
}

/**
 * The code before: `rev` checked out with `git worktree add` (detached) under the
 * matrix directory; reused while it is still at `rev`.
 */
export function checkoutBefore(root: string, matrixDir: string, rev: string): CodeVersion {
  const commit = git(root, 'rev-parse', '--verify', `${rev}^{commit}`);
  const dir = join(matrixDir, 'code', `before-${commit.slice(0, 12)}`);
  if (existsSync(dir) && git(dir, 'rev-parse', 'HEAD') !== commit) git(root, 'worktree', 'remove', '--force', dir);
  if (!existsSync(dir)) git(root, 'worktree', 'add', '--detach', dir, commit);
  const subject = git(root, 'log', '-1', '--format=%s', commit);
  return { name: 'before', describe: `${commit.slice(0, 12)} ("${subject.length > 70 ? `${subject.slice(0, 70)}…` : subject}")`, dir, files: listFiles(dir) };
}

/** The code after: the working tree as it is now, uncommitted and untracked (not ignored) files included. */
export function workingTree(root: string): CodeVersion {
  const head = git(root, 'rev-parse', 'HEAD').slice(0, 12);
  const changed = git(root, 'status', '--porcelain').split('\n').filter(Boolean).length;
  return { name: 'after', describe: `working tree (HEAD ${head} + ${changed} changed or untracked paths)`, dir: root, files: listFiles(root) };
}

/**
 * A cell's tree: a snapshot of `code`'s files, except bench/, which comes from `bench`
 * (the working tree's), so that every cell runs the same benchmarks with the same
 * figures and only the app code differs; `node_modules` links to the runtime's.
 * Copied rather than run in place so that edits made meanwhile in the working tree (by
 * anyone) do not change the code between rounds.
 */
export function assembleCell(dir: string, code: CodeVersion, bench: CodeVersion, modules: string): void {
  rmSync(dir, { recursive: true, force: true });
  const copy = (from: CodeVersion, file: string) => {
    const source = join(from.dir, file);
    if (!existsSync(source) || !statSync(source).isFile()) return; // deleted but still tracked
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(source, join(dir, file));
  };
  for (const file of code.files) if (!file.startsWith('bench/')) copy(code, file);
  for (const file of bench.files) if (file.startsWith('bench/')) copy(bench, file);
  symlinkSync(modules, join(dir, 'node_modules'));
}

function listFiles(dir: string): string[] {
  return git(dir, 'ls-files', '-z', '--cached', '--others', '--exclude-standard').split('\0').filter(Boolean);
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
}
