// Before each integration test: is the BITS service still there? Wine 8's dies
// when a job is cancelled mid-transfer (README, "Testing on Linux with Wine"), and every test
// after that would fail for that reason alone, each with an unrelated-looking
// error. This turns the cascade into one plain sentence per test.
// Around each file: it must leave BITS's queue as it found it, so that no file
// depends on running before or after another.
import { afterAll, beforeAll, beforeEach } from 'vitest';

import { jobsLeftBehind, liveJobs, queueReport, serviceGone } from './helpers.js';

let before = new Map<string, string>();

beforeAll(async () => {
  before = (await serviceGone()) ? new Map<string, string>() : await liveJobs();
});

beforeEach(async ({ onTestFailed }) => {
  const gone = await serviceGone();
  if (gone) throw new Error(gone);
  // A hang (a test that timed out) says where things stood: BITS's queue and our pool.
  onTestFailed(async () => {
    console.error(await queueReport());
  });
});

// Registered before the file's own hooks, so it runs after them (Vitest runs
// after-hooks in reverse order): the file's cleanup has had its turn.
afterAll(async () => {
  const left = await jobsLeftBehind(before);
  if (left) throw new Error(left);
});
