// ESLint (flat config): type-aware typescript-eslint over the TypeScript of apps/, libs/,
// test/, bench/ and tools/ (each file checked against the tsconfig.json that includes it:
// the root one, or apps/console's for the console's .tsx); ESLint's recommended set over
// the plain JavaScript files. Formatting is Prettier's (npm run format:check); the rules
// here are about bugs, plus one about layout Prettier cannot enforce (max-len, below).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// No `globals` package is installed; these are the Node and Jest globals the JS files use.
const readonly = (names) => Object.fromEntries(names.map((name) => [name, 'readonly']));
const nodeGlobals = readonly([
  'process',
  'console',
  'Buffer',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'setImmediate',
  'clearImmediate',
  'queueMicrotask',
  'structuredClone',
  'URL',
  'AbortController',
  'TextEncoder',
  'TextDecoder',
  'performance',
  'SharedArrayBuffer',
  'Atomics',
  '__dirname',
  '__filename',
]);
const jestGlobals = readonly(['test', 'it', 'describe', 'expect', 'beforeAll', 'beforeEach', 'afterAll', 'afterEach', 'jest']);

const unusedVars = ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }];

export default defineConfig(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '.tmp/**', 'data/**', 'tools/kafka-mock-broker/bin/**'],
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: nodeGlobals },
    rules: { 'no-unused-vars': unusedVars },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  { files: ['test/**/*.js'], languageOptions: { globals: jestGlobals } },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': unusedVars,
      // Beyond the recommended set, rules that catch bugs and cost nothing here today:
      // `return promise` inside try/catch/finally skips the catch and the finally's timing;
      '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],
      // == only against null (which also matches undefined);
      eqeqeq: ['error', 'smart'],
      // deprecated APIs (zod 4's `message` parameter, Node's legacy calls) are called out;
      '@typescript-eslint/no-deprecated': 'error',
      // spreading a class instance or a Map/Set/Promise silently loses its prototype.
      '@typescript-eslint/no-misused-spread': 'error',
      // A switch over a union must name every member (or have a default): a new event type,
      // status or mode that nobody handles is a bug the compiler alone does not report.
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // Off: `async` without `await` is deliberate here. The methods implement
      // Promise-returning ports (event log, stores, sealer) synchronously, and `async` turns
      // their synchronous throws into rejections, which is what callers handle. The rule
      // catches no bug that no-floating-promises / no-misused-promises / await-thenable
      // (all on) do not.
      '@typescript-eslint/require-await': 'off',
      // Not on (it is not in the recommended set; tried, 137 reports): no-unnecessary-condition.
      // Nearly all of them are correct code the rule misreads: a class field (`this.closing`,
      // `this.stopping`, `this.failure`) checked again after an `await`, which another call
      // changes meanwhile but TypeScript's narrowing treats as unchanged; `?? fallback` after
      // indexing a record or an array (the tsconfig has no noUncheckedIndexedAccess); and
      // validation of untrusted input whose declared type is already the validated one.
      // The rule's default allow-list names the DOM lib's URLSearchParams; Node's (from
      // @types/node) stringifies the same way (the query string), so it is allowed too.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allow: [
            { name: ['Error', 'URL', 'URLSearchParams'], from: 'lib' },
            { name: 'URLSearchParams', from: 'package', package: '@types/node' },
          ],
        },
      ],
    },
  },
  {
    // Tests, benchmarks and their support read HTTP answers, JSON files and child processes'
    // output as `any` (response.json(), JSON.parse) and assert on them field by field:
    // typing each answer would restate the API's schemas in every spec, and a wrong field is
    // caught by the assertion itself. Production code keeps the no-unsafe-* rules.
    files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // expect(mock.method).toHaveBeenCalled() passes a method unbound on purpose.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Production lines stay within 160 columns. Prettier wraps code at printWidth 160 but
    // leaves long strings, template literals and comments as they are; this catches those.
    files: ['apps/**/*.ts', 'apps/**/*.tsx', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'max-len': ['error', { code: 160, tabWidth: 2, ignoreUrls: true, ignoreRegExpLiterals: true }] },
  },
);
