/**
 * Prints CI's one summary line, `tests: N passed, M failed`, whatever state the run is in:
 * from Jest's --json result when Jest finished; from the progress reporter's counts when
 * it was stopped (then the unfinished run itself counts as one failure, so the line can
 * never read as a pass); from nothing when Jest never ran (typecheck or build failed).
 * Exits non-zero unless everything passed.
 *
 * usage: node .ci/jest-summary.js <result.json> <progress.json> <exit status of the run> [budget]
 */
const { readFileSync } = require('node:fs');

const [resultFile, progressFile, statusText = '1', budget = 'its budget'] = process.argv.slice(2);
const status = Number(statusText);

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** timeout(1) answers 124 when it stopped the command, 128+9 when it had to kill it. */
function whyUnfinished() {
  if (status === 124 || status === 137) return `Jest did not finish within ${budget}`;
  return `Jest stopped with exit ${status} before writing its result`;
}

function summarize() {
  const result = readJson(resultFile);
  if (result) {
    const failed = result.numFailedTests + result.numRuntimeErrorTestSuites;
    const skipped = result.numPendingTests ? `, ${result.numPendingTests} skipped` : '';
    if (result.numTotalTests === 0) return { line: `tests: 0 passed, 1 failed (Jest ran no test)`, ok: false };
    return { line: `tests: ${result.numPassedTests} passed, ${failed} failed${skipped}`, ok: failed === 0 && status === 0 };
  }
  const progress = readJson(progressFile);
  if (progress) {
    const files = `${progress.files} test file${progress.files === 1 ? '' : 's'}`;
    return { line: `tests: ${progress.passed} passed, ${progress.failed + 1} failed (${whyUnfinished()}; counts from the ${files} that finished, plus 1 for the unfinished run)`, ok: false };
  }
  return { line: `tests: 0 passed, 1 failed (no Jest result: the run stopped before or during Jest, exit ${status})`, ok: false };
}

const { line, ok } = summarize();
console.log(line);
process.exitCode = ok ? 0 : 1;
