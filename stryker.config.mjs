// npm run mutate: Stryker changes src/ one mutant at a time and runs the unit tests and the
// host end-to-end suite against each. The end-to-end suite runs here on the TypeScript sources
// in the test process (E2E_SOURCES, test/e2e/sources.ts): its usual host target runs build/
// in a child process, which a mutant never reaches. The real-interpreter suites are not run:
// they take minutes per mutant (README, "Mutation testing").
process.env.E2E_SOURCES = '1';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: ['src/http/*.ts', 'src/runner.ts', 'src/httpsrv.ts', 'src/sse.ts', 'src/static.ts'],
  testRunner: 'mocha',
  mochaOptions: {
    // the unit tests first (fast), the end-to-end suite last; build, flash and board/ are not
    // about the mutated code (and build.test.ts needs build/, which is not copied); sysapi-e2e,
    // browser and design-card run bundles built in build/, which a mutant never reaches
    spec: ['test/!(e2e|build|flash|wifi|sysapi-e2e|browser|design-card).test.ts', 'test/e2e.test.ts']
  },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  coverageAnalysis: 'perTest',
  concurrency: 2,
  reporters: ['clear-text', 'html', 'json', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  clearTextReporter: { allowColor: false, reportTests: false },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  ignorePatterns: ['build', 'reports', 'espruino.flash'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always'
};
