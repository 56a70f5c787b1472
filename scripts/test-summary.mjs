// The counting behind `npm test`'s closing line, "N passed, N failed": what one
// project's Vitest JSON report (--reporter=json) says passed and failed. A test
// file that failed outside any test (it did not load: a missing addon, a syntax
// error, a throw at import) has no test results of its own, and a project that
// ran no test at all proves nothing: each counts as one failure, so the closing
// line can never read "0 failed" for a run that exits 1. Nor can a run whose
// Vitest exited non-zero for an error its report does not carry: an unhandled
// error, or a worker that died after its file's tests had passed.
import { existsSync, readFileSync } from 'node:fs';

/**
 * Counts of one project. `report` is the parsed JSON report, or null when the
 * run wrote none (it crashed, or never started). `exitCode`, when given, is
 * Vitest's: non-zero with no failure in the report counts as one failure.
 */
export function countReport(report, exitCode) {
  if (!report) return { passed: 0, failed: 1, skipped: 0, total: 0, problems: ['the run produced no results'] };
  const problems = [];
  for (const file of report.testResults ?? []) {
    // A file that failed while none of its tests did: it failed to load or threw outside a test.
    if (file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed')) {
      problems.push(`${file.name} failed outside its tests: ${String(file.message ?? '').split('\n')[0]}`);
    }
  }
  // Tests Vitest left 'pending' (not 'skipped': a skipIf/runIf test is 'skipped')
  // never ran: their file's worker died (a crash reported only as an unhandled
  // "Worker exited unexpectedly", which the report does not carry) or the run stopped.
  let neverRan = 0;
  for (const file of report.testResults ?? []) {
    const pending = (file.assertionResults ?? []).filter((t) => t.status === 'pending').length;
    if (pending > 0) problems.push(`${file.name}: ${pending} test(s) never ran (the file's worker died, or the run stopped)`);
    neverRan += pending;
  }
  const passed = report.numPassedTests ?? 0;
  const unloaded = problems.length - problems.filter((p) => p.includes('never ran')).length;
  let failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrors ?? 0) + unloaded + neverRan;
  if (passed + (report.numFailedTests ?? 0) === 0 && problems.length === 0) {
    problems.push('no test ran');
    failed++;
  }
  if (typeof exitCode === 'number' && exitCode !== 0 && failed === 0) {
    problems.push(`Vitest exited ${exitCode}, but its report counts no failure: an error outside the tests (an unhandled error, or "Worker exited unexpectedly"); see the run's output`);
    failed++;
  }
  return { passed, failed, skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0), total: report.numTotalTests ?? 0, problems };
}

/** countReport of the JSON file at `file` (null when there is none). */
export function countFile(file, exitCode) {
  return countReport(existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null, exitCode);
}

/**
 * The lines that end the run: one per project, one per failure outside the
 * suites (`setupFailures`, each counted once), and the closing line.
 * `projects`: [name, where, counts] in the order they ran.
 */
export function closingLines(projects, setupFailures = []) {
  const lines = [];
  let passed = 0;
  let failed = setupFailures.length;
  for (const [name, where, c] of projects) {
    lines.push(`${name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped of ${c.total} tests (${where})`);
    for (const p of c.problems) lines.push(`  counted as failed: ${p}`);
    passed += c.passed;
    failed += c.failed;
  }
  for (const message of setupFailures) lines.push(`failed before the suites: ${message}`);
  lines.push(`${passed} passed, ${failed} failed`);
  return lines;
}
