// A model of the job's one watch (lib/job/watch.ts), checked against the real
// code as users meet it: BackgroundCopyJob listeners and waitForTransfer over a
// binding that answers and calls back only when a command says so. The
// reference model is the list of true states the job went through
// (test/support/watch-world.ts); the properties are in watch-checks.ts:
// - each change reaches every listener once, in order, never backwards;
// - a wait settles once the job is in a final state or at its deadline;
// - nothing reaches a listener after it was removed or its object closed;
// - watchedJobCount() returns to 0 when the last interest goes;
// - a listener's exception reaches process as uncaught, as for any emitter
//   driven by I/O (Node's "Error events" / process 'uncaughtException'), and
//   reaches no other listener or wait.
// On failure fast-check prints the seed, the path and the commands' replayPath:
// FC_SEED=<seed> FC_PATH=<path> FC_REPLAY_PATH=<replayPath>, with the same
// FC_RUNS, replay that counterexample; FC_SEED alone runs other sequences.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';

import { watchedJobCount } from '../../lib/job/watch.js';
import { afterCommand, baseline, commands, eagerReads, flush, initialState } from '../support/watch-commands.js';
import { World } from '../support/watch-world.js';

const RUNS = Number(process.env.FC_RUNS ?? 2000);
let world: World | undefined;

// The test takes process's 'uncaughtException' for itself while it runs: a
// listener's exception must arrive there, and vitest would count it as the
// test's own failure.
const before = process.listeners('uncaughtException');
const onUncaught = (e: Error): void => {
  if (world?.thrown.has(e)) world.thrown.set(e, true);
  else world?.violations.push(`uncaught exception not thrown by a listener: ${String(e)}`);
};
beforeAll(() => {
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onUncaught);
});
afterAll(() => {
  process.off('uncaughtException', onUncaught);
  for (const l of before) process.on('uncaughtException', l);
});

test(`the watch keeps its promises over ${RUNS} random sequences of callbacks, reads, listeners, waits and closes`, { timeout: 600_000 }, async () => {
  const property = fc.asyncProperty(initialState, eagerReads, commands, async (initial, eager, cmds) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    baseline.count = watchedJobCount();
    const w = new World(initial, eager);
    world = w;
    // One clock for the callbacks' receivedAt and the watch's stamps: each reading is a new moment.
    const hrtime = vi.spyOn(process.hrtime, 'bigint').mockImplementation(() => BigInt(w.tick()));
    try {
      await fc.asyncModelRun(() => ({ model: w, real: w }), cmds);
      // The users leave: every object closed, every read answered.
      for (const [i, s] of w.slots.entries()) {
        if (s.closed) continue;
        s.closed = true;
        w.forget(i);
        s.job.close();
      }
      while (w.reads.length > 0) w.answer(w.reads[0]!);
      await afterCommand(w);
      await flush();
      expect(w.violations).toEqual([]);
    } finally {
      hrtime.mockRestore();
      vi.clearAllTimers();
      vi.useRealTimers();
      world = undefined;
    }
  });
  const replay: fc.Parameters<unknown> = {};
  if (process.env.FC_SEED !== undefined) replay.seed = Number(process.env.FC_SEED);
  if (process.env.FC_PATH !== undefined) replay.path = process.env.FC_PATH;
  await fc.assert(property, { numRuns: RUNS, ...replay });
});
