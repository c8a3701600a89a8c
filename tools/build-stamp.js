#!/usr/bin/env node
/**
 * Builds the apps only when their sources changed since the last build.
 *
 * `nest build` of the three webpack bundles takes ~30 s, while the built service starts
 * in about a second: rebuilding on every `npm start` made a new user wait half a minute
 * for nothing. The build's inputs (every source file the bundles can include, the
 * compiler settings and the lock file) are hashed by content, not by mtime, so a fresh
 * clone, a `git checkout` that restores old mtimes, or a copied tree all decide right.
 *
 *   node tools/build-stamp.js ensure   build if stale (npm start, npm test)
 *   node tools/build-stamp.js rebuild  build whatever the stamp says (npm run build)
 *   node tools/build-stamp.js check    exit 0 if dist/ is current, 1 if not (says why)
 *
 * `--root <dir>` points it at another tree (the tests use a scratch one).
 */
const { createHash } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } = require('node:fs');
const { join, relative, sep } = require('node:path');

/** Folders whose files go into the bundles; specs never do (tsconfig.build.json excludes them). */
const SOURCE_FOLDERS = ['apps', 'libs'];
/** Files outside those folders that change what the build produces. */
const SETTINGS_FILES = ['tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json'];
const STAMP = join('dist', '.build-inputs.json');

function sourceFiles(root) {
  const found = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.endsWith('.spec.ts')) found.push(path);
    }
  };
  for (const folder of SOURCE_FOLDERS) walk(join(root, folder));
  for (const file of SETTINGS_FILES) if (existsSync(join(root, file))) found.push(join(root, file));
  // Sorted by their path inside the tree, with '/' separators, so the hash is the same on any machine.
  return found.map((path) => [relative(root, path).split(sep).join('/'), path]).sort(([a], [b]) => (a < b ? -1 : 1));
}

/** One hash over every input's path and content. */
function inputsHash(root) {
  const hash = createHash('sha256');
  for (const [name, path] of sourceFiles(root)) {
    hash.update(name).update('\0').update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex');
}

/** Each input's size and modification time: when none moved, the contents need not be read. */
function inputsStat(root) {
  return sourceFiles(root).map(([name, path]) => {
    const { size, mtimeMs } = statSync(path);
    return `${name}:${size}:${mtimeMs}`;
  });
}

function readStamp(root) {
  try {
    return JSON.parse(readFileSync(join(root, STAMP), 'utf8'));
  } catch {
    return undefined;
  }
}

function writeStamp(root, hash) {
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, STAMP), `${JSON.stringify({ hash, stat: inputsStat(root) })}\n`);
}

/** Why dist/ cannot be used as it is, or undefined when it can. */
function staleReason(root) {
  if (!existsSync(join(root, 'dist', 'apps', 'api', 'main.js'))) return 'no build in dist/';
  const stamp = readStamp(root);
  if (!stamp || typeof stamp.hash !== 'string') return 'dist/ was built without a record of its sources';
  // The fast path (a few ms): nothing was touched since the stamp was written.
  const stat = inputsStat(root);
  if (Array.isArray(stamp.stat) && stat.length === stamp.stat.length && stat.every((entry, i) => entry === stamp.stat[i])) return undefined;
  // Something was touched (a checkout, a copy, an edit undone): the contents decide.
  return stamp.hash === inputsHash(root) ? undefined : 'sources changed since the last build';
}

/** Runs the build and records what it was built from. */
function build(root) {
  // Hashed before the build, so an edit made while it runs is seen as a change next time.
  const before = inputsHash(root);
  execFileSync('npm', ['run', '--silent', 'build:apps'], { cwd: root, stdio: 'inherit' });
  writeStamp(root, before);
}

function main(argv) {
  const rootFlag = argv.indexOf('--root');
  const root = rootFlag >= 0 ? argv[rootFlag + 1] : join(__dirname, '..');
  const command = argv.find((arg, index) => !arg.startsWith('--') && (rootFlag < 0 || index !== rootFlag + 1));
  switch (command) {
    case 'check': {
      const reason = staleReason(root);
      console.log(reason ? `build needed: ${reason}` : 'build is current');
      return reason ? 1 : 0;
    }
    case 'rebuild':
      build(root);
      return 0;
    case 'ensure': {
      const reason = staleReason(root);
      if (!reason) {
        // Current by content though files were touched: record their times, so the next start takes the fast path.
        const stamp = readStamp(root);
        if (stamp && JSON.stringify(stamp.stat) !== JSON.stringify(inputsStat(root))) writeStamp(root, stamp.hash);
        return 0;
      }
      console.log(`building (${reason})`);
      build(root);
      return 0;
    }
    default:
      console.error('usage: node tools/build-stamp.js ensure|rebuild|check [--root <dir>]');
      return 2;
  }
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    // A failed build already printed its errors; exit as it did.
    process.exitCode = typeof error.status === 'number' ? error.status : 1;
    if (typeof error.status !== 'number') console.error(error);
  }
}

module.exports = { inputsHash, staleReason, inputsStat };
