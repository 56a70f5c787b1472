// Before each integration test: is the BITS service still there? Wine 8's dies
// when a job is cancelled mid-transfer (README, "Testing on Linux with Wine"), and every test
// after that would fail for that reason alone, each with an unrelated-looking
// error. This turns the cascade into one plain sentence per test.
import { beforeEach } from 'vitest';

import { queueReport, serviceGone } from './helpers.js';

beforeEach(async ({ onTestFailed }) => {
  const gone = await serviceGone();
  if (gone) throw new Error(gone);
  // A hang (a test that timed out) says where things stood: BITS's queue and our pool.
  onTestFailed(async () => {
    console.error(await queueReport());
  });
});
