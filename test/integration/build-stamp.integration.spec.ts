import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../support/temp-dir';

const script = join(__dirname, '../../tools/build-stamp.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain JS tool (tools/build-stamp.js), required by its path
const { inputsHash, inputsStat, staleReason } = require(script) as {
  inputsHash(root: string): string;
  inputsStat(root: string): string[];
  staleReason(root: string): string | undefined;
};

/** A scratch tree shaped like the project: sources, settings, and a built dist/. */
function scratchTree(): string {
  const dir = makeTempDir('build-stamp').path;
  for (const [file, text] of Object.entries({
    'apps/api/src/main.ts': 'console.log(1);\n',
    'libs/domain/src/index.ts': 'export const a = 1;\n',
    'libs/domain/src/index.spec.ts': 'it("x", () => undefined);\n',
    'tsconfig.json': '{}\n',
    'package-lock.json': '{}\n',
    'dist/apps/api/main.js': 'built\n',
  })) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const stamp = (root: string) => writeFileSync(join(root, 'dist/.build-inputs.json'), JSON.stringify({ hash: inputsHash(root), stat: [] }));
const check = (root: string) => spawnSync('node', [script, 'check', '--root', root], { encoding: 'utf8' });

/** `npm start` builds only when the sources changed since the last build (issue 18). */
describe('tools/build-stamp.js', () => {
  it('asks for a build when dist/ is missing or carries no record of its sources', () => {
    const root = scratchTree();
    expect(staleReason(root)).toBe('dist/ was built without a record of its sources');
    expect(check(root)).toMatchObject({ status: 1, stdout: expect.stringContaining('build needed') });
  });

  it('skips the build while the sources are those of the last build', () => {
    const root = scratchTree();
    stamp(root);
    expect(check(root)).toMatchObject({ status: 0, stdout: 'build is current\n' });
    // A spec is not part of the bundles; editing one does not call for a build.
    writeFileSync(join(root, 'libs/domain/src/index.spec.ts'), 'it("y", () => undefined);\n');
    expect(staleReason(root)).toBeUndefined();
  });

  it('sees a changed, added or removed source, and a changed lock file, by content', () => {
    for (const change of [
      (root: string) => writeFileSync(join(root, 'libs/domain/src/index.ts'), 'export const a = 2;\n'),
      (root: string) => writeFileSync(join(root, 'libs/domain/src/extra.ts'), 'export {};\n'),
      (root: string) => writeFileSync(join(root, 'package-lock.json'), '{"changed":true}\n'),
    ]) {
      const root = scratchTree();
      stamp(root);
      change(root);
      expect(staleReason(root)).toBe('sources changed since the last build');
    }
  });

  it('does not depend on file times: the same content gives the same hash', () => {
    const root = scratchTree();
    const before = inputsHash(root);
    writeFileSync(join(root, 'apps/api/src/main.ts'), 'console.log(1);\n');
    expect(inputsHash(root)).toBe(before);
  });

  it("records the files' times once current by content, so the next start reads no file", () => {
    const root = scratchTree();
    stamp(root);
    // `ensure` on a current tree builds nothing (a build here would fail: the scratch tree has no npm scripts).
    const ensured = spawnSync('node', [script, 'ensure', '--root', root], { encoding: 'utf8' });
    expect(ensured.status).toBe(0);
    expect(JSON.parse(readFileSync(join(root, 'dist/.build-inputs.json'), 'utf8')).stat).toEqual(inputsStat(root));
    writeFileSync(join(root, 'apps/api/src/main.ts'), 'console.log(2);\n');
    expect(staleReason(root)).toBe('sources changed since the last build');
  });
});
