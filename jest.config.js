/** Jest runs every spec under apps/, libs/ and test/ through SWC (fast, keeps decorator metadata). */
const { compilerOptions } = require('./tsconfig.json');

const aliases = Object.fromEntries(Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]));

const base = {
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper: aliases,
  testEnvironment: 'node',
};

/** Specs that run Waymark distributed: they start Kafka, Redis and ClickHouse themselves. */
const DISTRIBUTED_ONLY = 'test/e2e/(distributed|readiness-distributed)[^/]*\\.spec\\.ts$';
/** HTTP-only suites that run in both modes (WAYMARK_TEST_MODE picks the stack startApi builds). */
const BOTH_MODES = 'test/e2e/(sdk|openapi|dpop|session-timeouts|fuzz-[^/]*|edge-(http|values|query)|console(-serving|-api)?)\\.e2e\\.spec\\.ts$';

module.exports = {
  testTimeout: 30000,
  // A failing test often never reaches the code that closes what it opened (a server, a
  // Kafka consumer, a child process), and Jest then waits for those handles forever: CI
  // sees no summary. Exit once the results are reported. A hang that no in-process timer
  // can stop (a blocked event loop) is bounded by .ci/test-with-summary's budget.
  forceExit: true,
  projects: [
    {
      ...base,
      displayName: 'embedded',
      testRegex: '.*\\.(spec|test)\\.ts$',
      testPathIgnorePatterns: ['/node_modules/', DISTRIBUTED_ONLY],
      setupFilesAfterEnv: ['<rootDir>/test/support/fetch-contract.setup.ts'],
    },
    {
      ...base,
      displayName: 'distributed',
      testRegex: [DISTRIBUTED_ONLY, BOTH_MODES],
      testPathIgnorePatterns: ['/node_modules/'],
      setupFiles: ['<rootDir>/test/support/distributed-mode.setup.js'],
      setupFilesAfterEnv: ['<rootDir>/test/support/fetch-contract.setup.ts'],
    },
  ],
};
