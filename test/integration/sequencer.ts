// Integration files run in name order, and service.test.ts last: it stops the
// BITS service, and the files after it would test against a restarted one.
import { BaseSequencer } from 'vitest/node';
import type { TestSpecification } from 'vitest/node';

export class IntegrationSequencer extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const last = (f: TestSpecification): number => (f.moduleId.endsWith('service.test.ts') ? 1 : 0);
    return Promise.resolve([...files].sort((a, b) => last(a) - last(b) || a.moduleId.localeCompare(b.moduleId)));
  }
}
