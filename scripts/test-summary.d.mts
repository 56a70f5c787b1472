// Types of test-summary.mjs, for its unit test.
export interface ProjectCounts {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
  /** Each failure that is not a failed test: a file that did not load, no test run, no report. */
  problems: string[];
}
export function countReport(report: unknown): ProjectCounts;
export function countFile(file: string): ProjectCounts;
export function closingLines(projects: Array<[name: string, where: string, counts: ProjectCounts]>, setupFailures?: string[]): string[];
