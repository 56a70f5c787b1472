// scripts/test-summary.mjs, the counting behind `npm test`'s closing line, run on
// real Vitest JSON reports: a Vitest of this project's own version runs small
// projects in a temporary folder, one of them a file that fails to load (as every
// integration file does when the test addon is missing).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, test } from 'vitest';

import { closingLines, countFile, countReport } from '../../scripts/test-summary.mjs';

const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs Vitest on `files` (name to source) and returns the path of its JSON report. */
function vitestReport(files: Record<string, string>): string {
  return vitestRun(files).out;
}

/** Runs Vitest on `files`: the path of its JSON report and its exit code. */
function vitestRun(files: Record<string, string>): { out: string; status: number | null } {
  const dir = mkdtempSync(path.join(tmpdir(), 'test-summary-'));
  dirs.push(dir);
  for (const [name, source] of Object.entries(files)) writeFileSync(path.join(dir, name), source);
  const out = path.join(dir, 'report.json');
  const r = spawnSync(process.execPath, [vitest, 'run', '--root', dir, '--passWithNoTests', '--reporter=json', `--outputFile.json=${out}`], { cwd: dir, encoding: 'utf8' });
  expect(r.error).toBeUndefined();
  return { out, status: r.status };
}

const passing = "import { test, expect } from 'vitest';\ntest('one', () => expect(1).toBe(1));\ntest('two', () => expect(2).toBe(2));\n";

// Each test starts a Vitest of its own: seconds on a quiet machine, more on a busy one.
describe("npm test's closing line", { timeout: 120_000 }, () => {
  test('a file that fails to load counts as one failure beside the tests that ran', () => {
    const c = countFile(vitestReport({ 'good.test.mjs': passing, 'unloadable.test.mjs': "throw new Error('no test addon');\n" }));
    expect(c).toMatchObject({ passed: 2, failed: 1 });
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]).toContain('unloadable.test.mjs');
    expect(c.problems[0]).toContain('no test addon');
    expect(closingLines([['integration', 'here', c]]).at(-1)).toBe('2 passed, 1 failed');
  });

  test('a project whose every file fails to load: one failure per file, never "0 failed"', () => {
    const files = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`f${i}.test.mjs`, "throw new Error('Cannot find module windows_bits_test.node');\n"]));
    const integration = countFile(vitestReport(files));
    expect(integration).toMatchObject({ passed: 0, failed: 3 });
    const unit = countReport({ numPassedTests: 280, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, numTotalTests: 280, testResults: [] });
    expect(closingLines([['unit', 'host', unit], ['integration', 'Wine', integration]]).at(-1)).toBe('280 passed, 3 failed');
  });

  test('a project that ran no test counts as a failure, and so does one with no report', () => {
    const none = countFile(vitestReport({ 'empty.test.mjs': '// nothing here\n' }));
    expect(none).toMatchObject({ passed: 0, failed: 1 });
    expect(none.problems).toEqual(['no test ran']);
    expect(countFile(path.join(tmpdir(), 'no-such-report.json'))).toMatchObject({ passed: 0, failed: 1, problems: ['the run produced no results'] });
  });

  test('failed tests count once each; a file with a failed test adds nothing more', () => {
    const out = vitestReport({ 'mixed.test.mjs': "import { test, expect } from 'vitest';\ntest('ok', () => expect(1).toBe(1));\ntest('bad', () => expect(1).toBe(2));\n", 'good.test.mjs': passing });
    const report = JSON.parse(readFileSync(out, 'utf8')) as { numFailedTests: number };
    expect(report.numFailedTests).toBe(1);
    expect(countFile(out)).toMatchObject({ passed: 3, failed: 1, problems: [] });
    expect(closingLines([['unit', 'host', countFile(out)]], ['npm pack failed']).at(-1)).toBe('3 passed, 2 failed');
  });

  test("a file whose worker died: its tests are left 'pending' (Vitest's own report of such a run) and each counts as failed", () => {
    // The shape Vitest 4 wrote for an integration run in which a Windows Node worker
    // crashed: 'pending' tests that never ran, beside 'skipped' ones (runIf) and
    // an unhandled "Worker exited unexpectedly" that the report does not carry.
    const report = {
      numTotalTests: 5,
      numPassedTests: 2,
      numFailedTests: 0,
      numPendingTests: 1,
      numTodoTests: 0,
      testResults: [
        { name: 'a.test.ts', status: 'passed', assertionResults: [{ status: 'passed' }, { status: 'passed' }, { status: 'skipped' }] },
        { name: 'b.test.ts', status: 'passed', assertionResults: [{ status: 'pending' }, { status: 'pending' }] },
      ],
    };
    const c = countReport(report);
    expect(c).toMatchObject({ passed: 2, failed: 2, skipped: 1 });
    expect(c.problems).toEqual(["b.test.ts: 2 test(s) never ran (the file's worker died, or the run stopped)"]);
    expect(closingLines([['integration', 'wine', c]]).at(-1)).toBe('2 passed, 2 failed');
  });

  test('a run that Vitest fails for an error outside its tests counts one failure, though every test passed', () => {
    // An error thrown after a test returned is an unhandled error: Vitest fails the
    // run (exit 1) while its report says every test passed. A worker that dies after
    // its file's tests passed ("Worker exited unexpectedly") reaches the report the same way.
    const run = vitestRun({ 'late.test.mjs': "import { test, expect } from 'vitest';\ntest('one', () => { setTimeout(() => { throw new Error('late'); }, 0); expect(1).toBe(1); });\ntest('two', async () => { await new Promise((r) => setTimeout(r, 50)); });\n" });
    expect(run.status).toBe(1);
    const report = JSON.parse(readFileSync(run.out, 'utf8')) as { numPassedTests: number; numFailedTests: number };
    expect(report).toMatchObject({ numPassedTests: 2, numFailedTests: 0 });
    const c = countFile(run.out, run.status ?? 1);
    expect(c).toMatchObject({ passed: 2, failed: 1 });
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]).toContain('Vitest exited 1');
    expect(closingLines([['integration', 'wine', c]]).at(-1)).toBe('2 passed, 1 failed');
    // The exit code adds nothing when the report already counts the failure.
    const failing = vitestRun({ 'bad.test.mjs': "import { test, expect } from 'vitest';\ntest('bad', () => expect(1).toBe(2));\n" });
    expect(countFile(failing.out, failing.status ?? 1)).toMatchObject({ passed: 0, failed: 1, problems: [] });
  });
});
