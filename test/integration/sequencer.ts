// Integration files run in name order, with two exceptions. events.test.ts runs
// first: its one-call transfers wait on Wine's single transfer queue, which jobs
// left behind by earlier files (drivers, the CLI) can hold up for longer than a
// test's timeout (seen a few times in full runs, never with the file alone or in
// 40 back-to-back startDownload waits). service.test.ts runs last: it stops the
// BITS service, and the files after it would test against a restarted one.
import { BaseSequencer } from 'vitest/node';
import type { TestSpecification } from 'vitest/node';

export class IntegrationSequencer extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const last = (f: TestSpecification): number => (f.moduleId.endsWith('service.test.ts') ? 1 : f.moduleId.endsWith('events.test.ts') ? -1 : 0);
    return Promise.resolve([...files].sort((a, b) => last(a) - last(b) || a.moduleId.localeCompare(b.moduleId)));
  }
}
