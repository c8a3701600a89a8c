/**
 * Lets `node -r ./tools/register-ts.js script.ts` run the repository's TypeScript
 * scripts (tools/, bench/) without a build: SWC strips types with the same options
 * Jest uses, and `@waymark/*` imports resolve through tsconfig's paths.
 */
const { transformSync } = require('@swc/core');
const Module = require('node:module');
const { join } = require('node:path');
const { compilerOptions } = require('../tsconfig.json');

const root = join(__dirname, '..');
const aliases = Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, join(root, target)]);

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const alias = aliases.find(([name]) => name === request);
  return resolve.call(this, alias ? alias[1] : request, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const source = require('node:fs').readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    filename,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
