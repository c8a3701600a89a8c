import { lockDataDir, openEmbeddedDatabase } from '@waymark/sqlite';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../../apps/cli/src/cli';
import { makeTempDir } from '../support/temp-dir';

const ROOT = join(__dirname, '../..');
const REGISTER_TS = join(ROOT, 'tools/register-ts.js');

/**
 * Another live process holding DATA_DIR, as a running service does (main.ts takes the
 * same lock before it opens anything). A bare holder rather than the API: the point is
 * the lock, and the CLI must be refused before it opens anything, chDB included.
 */
function holdInChild(dataDir: string): Promise<ChildProcess> {
  const script = `require('@waymark/sqlite').lockDataDir(process.argv[1]); console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-r', REGISTER_TS, '-e', script, dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`the holder exited (${code})`)));
  });
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t), progress: () => undefined, isTty: false, env: {} });
  return { code, out, err: err.join('\n') };
}

describe('CLI commands that open the embedded stores take DATA_DIR’s lock', () => {
  const data = makeTempDir('cli-lock');
  let holder: ChildProcess | undefined;

  beforeAll(() => {
    // An embedded store to refuse access to (SQLite only: chDB may be opened once per test process).
    openEmbeddedDatabase(join(data.path, 'waymark.db')).close();
  });

  afterAll(async () => {
    if (holder) await stopped(holder);
    data.remove();
  });

  it('refuses migrate, replay --data-dir and log repair while another process holds DATA_DIR, naming the dir and its pid', async () => {
    holder = await holdInChild(data.path);
    const refusal = `DATA_DIR ${data.path} is used by another Waymark process (pid ${holder.pid}, since `;

    const migrate = await cli(['migrate', '--data-dir', data.path]);
    expect(migrate.code).toBe(1);
    expect(migrate.err).toContain(`waymark migrate: ${refusal}`);
    expect(migrate.err).toContain('stop the service first');

    const replay = await cli(['replay', '--data-dir', data.path]);
    expect(replay.code).toBe(1);
    expect(replay.err).toContain(`waymark replay: ${refusal}`);
    expect(replay.err).toContain('use --url instead of --data-dir');

    const repair = await cli(['log', 'repair', '--data-dir', data.path, '--dry-run']);
    expect(repair.code).toBe(1);
    expect(repair.err).toContain(`waymark log repair: ${refusal}`);
    expect(repair.err).toContain('stop the service first');
  });

  it('as a process: exits non-zero with the refusal on stderr', () => {
    const run = spawnSync(process.execPath, ['-r', REGISTER_TS, join(ROOT, 'apps/cli/src/main.ts'), 'log', 'repair', '--data-dir', data.path], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`DATA_DIR ${data.path} is used by another Waymark process (pid ${holder?.pid}, since `);
  });

  it('once the holder is gone, the command runs, and lets DATA_DIR go when it ends', async () => {
    await stopped(holder as ChildProcess);
    holder = undefined;

    const migrate = await cli(['migrate', '--data-dir', data.path]);
    expect(migrate.err).toBe('');
    expect(migrate.code).toBe(0);
    expect(migrate.out.at(-1)).toMatch(/^read model at version \d+/);

    // Free again, for this process and for another one (a service starting next).
    lockDataDir(data.path).release();
    holder = await holdInChild(data.path);
  });
});
