// Integration files run in name order, each leaving BITS's queue as it found it
// (setup.ts checks that after every file), so no file depends on another's place.
// One exception: service.test.ts runs last, because it stops the BITS service and
// the files after it would test against a restarted one.
import { BaseSequencer } from 'vitest/node';
import type { TestSpecification } from 'vitest/node';

export class IntegrationSequencer extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const last = (f: TestSpecification): number => (f.moduleId.endsWith('service.test.ts') ? 1 : 0);
    return Promise.resolve([...files].sort((a, b) => last(a) - last(b) || a.moduleId.localeCompare(b.moduleId)));
  }
}
