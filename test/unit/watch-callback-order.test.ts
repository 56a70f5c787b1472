// A callback and a status read reach JS on two channels (the addon's
// thread-safe function, the COM pool's answer), so BITS's order and ours can
// differ. BITS calls JobModification when the job changes
// (https://learn.microsoft.com/en-us/windows/win32/api/bits/nf-bits-ibackgroundcopycallback-jobmodification);
// the addon reads the job in that call. A read the pool makes after it is newer,
// even when its answer overtakes the callback on the way to JS. The job's
// true states are the reference: a listener must never be told one it left.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';

import type { JobState } from '../../lib/index.js';
import { watchedJobCount } from '../../lib/job/watch.js';
import { flush } from '../support/watch-commands.js';
import { World } from '../support/watch-world.js';

let world: World;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  world = new World('queued');
  // One clock for receivedAt and the watch's stamps, each reading a later moment.
  vi.spyOn(process.hrtime, 'bigint').mockImplementation(() => BigInt(world.tick()));
});
afterEach(() => {
  for (const s of world.slots) s.job.close();
  vi.restoreAllMocks();
  vi.useRealTimers();
  expect(watchedJobCount()).toBe(0);
});

/** The job goes to `state`; BITS's callback for it stays on its way. */
function change(state: 'queued' | 'suspended'): void {
  world.history.push({ at: world.tick(), state, bytes: 0 });
}

test.each([
  ['the first read', false],
  ['a later poll', true],
] as const)('a callback sent while %s was in flight, delivered after its answer, is not believed over it: one more read decides', async (_, later) => {
  const job = world.slots[0]!.job;
  const states: Array<[JobState, JobState]> = [];
  job.on('state', (s, previous) => states.push([s, previous]));
  if (later) {
    world.answer(world.reads[0]!); // the baseline: queued
    await vi.advanceTimersByTimeAsync(job.pollIntervalMs); // the next poll is issued
  }
  expect(world.reads).toHaveLength(1);
  world.notify(false); // BITS calls back and the addon reads 'queued'
  change('suspended');
  world.answer(world.reads[0]!); // the pool reads after both: 'suspended'
  await flush();
  expect(states).toEqual(later ? [['suspended', 'queued']] : []);
  world.deliver(world.pending[0]!); // the callback's 'queued' arrives last
  await flush();
  // Believing it would tell 'queued' (a state the job left), then 'suspended' again.
  expect(states).toEqual(later ? [['suspended', 'queued']] : []);
  expect(world.reads).toHaveLength(1); // asked BITS instead
  world.answer(world.reads[0]!);
  await flush();
  expect(states).toEqual(later ? [['suspended', 'queued']] : []);
});

test('a callback received after the answer is believed as it comes, with no read', async () => {
  const job = world.slots[0]!.job;
  const states: JobState[] = [];
  job.on('state', (s) => states.push(s));
  world.answer(world.reads[0]!);
  await flush();
  change('suspended');
  world.notify(false);
  world.deliver(world.pending[0]!);
  expect(states).toEqual(['suspended']);
  expect(world.reads).toEqual([]);
});
