// Types of test-summary.mjs, for its unit test.
export interface ProjectCounts {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
  /** Each failure that is not a failed test: a file that did not load, no test run, no report. */
  problems: string[];
}
/** `exitCode`: Vitest's exit code; non-zero with no failure in the report counts as one failure. */
export function countReport(report: unknown, exitCode?: number): ProjectCounts;
export function countFile(file: string, exitCode?: number): ProjectCounts;
export function closingLines(projects: Array<[name: string, where: string, counts: ProjectCounts]>, setupFailures?: string[]): string[];
