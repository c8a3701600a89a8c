import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir } from '../support/temp-dir';

/**
 * Issue 14 point 10: the test run always ends. Runs Jest (a child process, with the
 * repository's settings) on fixture specs that fail while holding open handles or block
 * the event loop, and checks that the run ends and that CI's summary line says the truth.
 */
const ROOT = join(__dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/jest-exit');
const JEST = join(ROOT, 'node_modules/jest/bin/jest.js');

interface Finished {
  code: number | null;
  elapsedMs: number;
  stdout: string;
}

/** Runs a command, killing it (and failing the test) if it is still running after `limitMs`. */
function run(command: string, args: string[], env: Record<string, string>, limitMs: number): Promise<Finished> {
  const started = Date.now();
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} was still running after ${limitMs} ms`));
    }, limitMs);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, elapsedMs: Date.now() - started, stdout });
    });
  });
}

describe('a failing test run always ends, with its summary line', () => {
  const dir = makeTempDir('jest-exit');
  const files = { JEST_RESULT_FILE: join(dir.path, 'result.json'), JEST_PROGRESS_FILE: join(dir.path, 'progress.json') };
  // A cache of its own: Jest orders files by past failures and durations, then by size.
  const jestArgs = [
    '--config',
    join(FIXTURES, 'jest.config.js'),
    '--runInBand',
    '--cacheDirectory',
    join(dir.path, 'cache'),
    '--json',
    `--outputFile=${files.JEST_RESULT_FILE}`,
    '--reporters=default',
    `--reporters=${join(ROOT, '.ci/jest-progress-reporter.js')}`,
  ];

  afterAll(() => dir.remove());

  it('Jest exits soon after a test fails while a server and an interval are open, and the summary counts both tests', async () => {
    const jest = await run(process.execPath, [JEST, ...jestArgs, '--testPathPatterns', 'fails-holding-handle'], files, 30_000);
    expect(jest.code).toBe(1);
    const summary = await run(process.execPath, ['.ci/jest-summary.js', files.JEST_RESULT_FILE, files.JEST_PROGRESS_FILE, String(jest.code)], {}, 10_000);
    expect(summary.stdout.trim()).toBe('tests: 1 passed, 1 failed');
    expect(summary.code).toBe(1);
  }, 45_000);

  it('a run that cannot end by itself is stopped at its budget, and the summary says so with the counts so far', async () => {
    const ci = await run('.ci/test-with-summary', ['8s', process.execPath, JEST, ...jestArgs], files, 60_000);
    expect(ci.code).toBe(1);
    expect(ci.stdout.trim().split('\n').at(-1)).toBe(
      'tests: 1 passed, 2 failed (Jest did not finish within 8s; counts from the 1 test file that finished, plus 1 for the unfinished run)',
    );
  }, 75_000);

  it('a run that never reached Jest still prints a summary line that fails', async () => {
    const ci = await run('.ci/test-with-summary', ['8s', 'false'], files, 20_000);
    expect(ci.code).toBe(1);
    expect(ci.stdout.trim()).toBe('tests: 0 passed, 1 failed (no Jest result: the run stopped before or during Jest, exit 1)');
  }, 30_000);
});
