import { StartupError } from '@waymark/config';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLock, lockDataDir } from './data-dir-lock';

const ROOT = join(__dirname, '../../..');

/** Another process holding DATA_DIR, as a second `npm start` would find it. */
function holdInChild(dataDir: string): Promise<ChildProcess> {
  // The lock is not kept in a variable, and collected garbage is swept before it says
  // "held": like main(), which returns long before its process ends.
  const script = `require(${JSON.stringify(join(__dirname, 'data-dir-lock.ts'))}).lockDataDir(process.argv[1]); global.gc(); console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--expose-gc', '-r', join(ROOT, 'tools/register-ts.js'), '-e', script, dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`the holder exited (${code})`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('lockDataDir: one Waymark process per DATA_DIR', () => {
  let dir: string;
  const held: DataDirLock[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wm-lock-'));
  });

  afterEach(() => {
    held.splice(0).forEach((lock) => lock.release());
    rmSync(dir, { recursive: true, force: true });
  });

  const refusal = (pid: number) => new RegExp(String.raw`^DATA_DIR ${dir} is used by another Waymark process \(pid ${pid}, since \d{4}-\d\d-\d\dT[\d:.]+Z\)$`);

  it('refuses a second holder in the same process, naming DATA_DIR and the pid, until the first lets go', () => {
    const first = lockDataDir(dir);
    held.push(first);
    expect(() => lockDataDir(dir)).toThrow(StartupError);
    expect(() => lockDataDir(dir)).toThrow(refusal(process.pid));
    first.release();
    held.push(lockDataDir(dir));
  });

  it('refuses while another process holds it, and is free the moment that process dies, even by kill -9', async () => {
    const holder = await holdInChild(dir);
    try {
      expect(() => lockDataDir(dir)).toThrow(refusal(holder.pid ?? -1));
    } finally {
      await killed(holder);
    }
    held.push(lockDataDir(dir));
  });

  it('creates DATA_DIR when missing', () => {
    held.push(lockDataDir(join(dir, 'a', 'b')));
    expect(statSync(join(dir, 'a', 'b')).isDirectory()).toBe(true);
  });

  it('says DATA_DIR is not writable when it cannot be created, even for root', () => {
    writeFileSync(join(dir, 'file'), '');
    const inside = join(dir, 'file', 'data');
    expect(() => lockDataDir(inside)).toThrow(
      new StartupError('DATA_DIR', `DATA_DIR ${inside} is not writable (ENOTDIR: a part of the path is a file, not a directory)`),
    );
  });
});
