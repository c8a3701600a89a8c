/**
 * A Jest reporter that rewrites a small JSON file after every test file: the counts so
 * far. Jest writes its --json result only when the run ends; if the run is killed (the
 * CI budget ran out, a native call blocked the event loop), this file is what is left
 * to say how far it got. The file is named by JEST_PROGRESS_FILE; without it, nothing.
 */
const { renameSync, writeFileSync } = require('node:fs');

class ProgressReporter {
  constructor() {
    this.file = process.env.JEST_PROGRESS_FILE;
  }

  onTestResult(_test, _result, aggregated) {
    if (!this.file) return;
    const progress = {
      files: aggregated.numPassedTestSuites + aggregated.numFailedTestSuites + aggregated.numRuntimeErrorTestSuites,
      passed: aggregated.numPassedTests,
      failed: aggregated.numFailedTests + aggregated.numRuntimeErrorTestSuites,
      skipped: aggregated.numPendingTests + aggregated.numTodoTests,
    };
    // Written aside and renamed, so a kill mid-write never leaves half a file.
    writeFileSync(`${this.file}.tmp`, JSON.stringify(progress));
    renameSync(`${this.file}.tmp`, this.file);
  }
}

module.exports = ProgressReporter;
