import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopProcess } from '../support/service-process';
import { spawnBuiltApp } from '../support/spawn-built-app';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';
import { Exited, builtAppMain, runBuiltAppToExit, runToExit } from './startup-process';

const product = { tag: 'shop', name: 'Shop', envs: ['prd'] };

/**
 * Strict configuration as the operator meets it: the built API refuses a typo in the
 * config file or in a WAYMARK_* variable, with one line naming it and the nearest valid
 * name, instead of starting, and open development mode is entered only with no key
 * configuration at all, and then said loudly.
 */
describe('strict configuration of the built API', () => {
  const temp = makeTempDir('startup-config');
  afterAll(() => temp.remove());

  const configFile = (name: string, content: unknown) => {
    const file = join(temp.path, name);
    writeFileSync(file, JSON.stringify(content));
    return file;
  };

  const expectRefusal = (run: Exited, line: string) => {
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 1, stdout: '', stderr: `waymark: failed to start: ${line}\n` });
  };

  it('refuses a misspelt apiKeys, which used to start in open development mode', async () => {
    const file = configFile('typo.json', { products: [product], apiKey: [] });
    const run = await runBuiltAppToExit('api', { PORT: '0', DATA_DIR: join(temp.path, 'typo'), WAYMARK_CONFIG: file, WAYMARK_BOOTSTRAP_KEY: '' });
    expectRefusal(run, `WAYMARK_CONFIG: ${file}: unknown key "apiKey" at (root); did you mean "apiKeys"?`);
  });

  it('refuses an unknown key inside a product', async () => {
    const file = configFile('product.json', { products: [{ ...product, env: ['dev'] }] });
    const run = await runBuiltAppToExit('api', { PORT: '0', DATA_DIR: join(temp.path, 'product'), WAYMARK_CONFIG: file });
    expectRefusal(run, `WAYMARK_CONFIG: ${file}: unknown key "env" at products.0; did you mean "envs"?`);
  });

  it('refuses "apiKeys": [], which must either hold a key or be left out', async () => {
    const file = configFile('empty.json', { products: [product], apiKeys: [] });
    const run = await runBuiltAppToExit('api', { PORT: '0', DATA_DIR: join(temp.path, 'empty'), WAYMARK_CONFIG: file, WAYMARK_BOOTSTRAP_KEY: '' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`WAYMARK_CONFIG: ${file} is invalid:\n  apiKeys: is empty: add a key`);
  });

  it('refuses an unknown WAYMARK_* variable, naming the one meant', async () => {
    const run = await runBuiltAppToExit('api', { PORT: '0', DATA_DIR: join(temp.path, 'env'), WAYMARK_BOOTSTRAPKEY: 'a-long-enough-bootstrap-key' });
    expectRefusal(run, 'WAYMARK_BOOTSTRAPKEY: unknown environment variable; did you mean "WAYMARK_BOOTSTRAP_KEY"?');
  });

  it('the CLI refuses one too: a misspelt WAYMARK_URL would send a command to the default service', async () => {
    const run = await runToExit(process.execPath, [builtAppMain('cli'), 'lag'], { WAYMARK_ULR: 'http://elsewhere:3000' });
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: 'waymark: WAYMARK_ULR: unknown environment variable; did you mean "WAYMARK_URL"?\n',
    });
  });

  it('accepts the CLI\'s WAYMARK_* variables, and with no key configuration at all says open development mode loudly, again beside "listening"', async () => {
    const file = configFile('open.json', { products: [product] });
    const app = await spawnBuiltApp(
      'api',
      {
        DATA_DIR: join(temp.path, 'open'),
        NODE_ENV: 'development',
        WAYMARK_CONFIG: file,
        WAYMARK_BOOTSTRAP_KEY: '',
        WAYMARK_URL: 'http://x',
        WAYMARK_API_KEY: 'x',
      },
      20_000,
    );
    try {
      const lines = await waitFor(
        () =>
          app
            .output()
            .split('\n')
            .filter((line) => line.includes('OPEN DEVELOPMENT MODE')),
        (found) => found.length === 2,
      );
      const listening = app
        .output()
        .split('\n')
        .findIndex((line) => line.includes('Waymark listening on'));
      expect(app.output().split('\n').indexOf(lines[1])).toBe(listening + 1);
      expect(lines.map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({ level: 40, openDevelopmentMode: true }),
        expect.objectContaining({ level: 40, openDevelopmentMode: true }),
      ]);
      expect((await fetch(`${app.url}/v1/products/shop/session-specs`)).status).toBe(200);
    } finally {
      await stopProcess(app.process);
    }
  });
});
