// Ctrl-C during `bits download`: the CLI's SIGINT handler, run in this process,
// cancels the job and says so, or leaves it with --keep-on-error. (Delivering the
// signal itself is Node's business; the listeners the CLI adds are called here.)
import path from 'node:path';

import { describe, expect, test, vi } from 'vitest';

import { main } from '../../lib/cli/main.js';
import type { BackgroundCopyJob, BitsError } from '../../lib/index.js';
import { fileFixture, manager, randomContent, waitForState, wine } from './helpers.js';

const { folder, created, serve } = fileFixture();
const server = serve({ 'big.bin': randomContent(1_000_000) }, { bytesPerSecond: 200_000 });

/**
 * Runs `bits download` in this process and calls its SIGINT listener once the job
 * is under way. Under Wine the job is interrupted while it waits in the queue
 * behind another transfer: Wine 8's BITS dies when a job is cancelled mid-transfer
 * (README, "Testing on Linux with Wine"), and cancelling is what Ctrl-C does. `finish()` ends the
 * blocking transfer the safe way (the response ended first) and cancels it.
 */
async function interrupted(extra: string[]): Promise<{ code: number; stderr: string; job: BackgroundCopyJob; finish: () => Promise<void> }> {
  const name = `interrupt ${Math.random().toString(36).slice(2)}`;
  const m = await manager();
  let blocker: BackgroundCopyJob | undefined;
  // Cancel: refused only for CANCELLED or ACKNOWLEDGED jobs, so Windows cancels mid-transfer; Wine 8 dies of it, so there the job waits its turn
  if (wine) {
    blocker = await m.createJob(`${name} blocker`);
    await blocker.addFile(server.url('big.bin'), path.join(folder.dir, `${name}-blocker.bin`));
    await blocker.resume();
    await vi.waitFor(async () => expect((await blocker!.getProgress()).bytesTransferred).toBeGreaterThan(0), { timeout: 20_000, interval: 50 });
  }
  const finish = async (): Promise<void> => {
    if (!blocker) return;
    server.dropConnections();
    await waitForState(blocker, ['transferred', 'error']);
    await blocker.cancel();
    blocker.close();
  };
  const stderr: string[] = [];
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const before = process.listeners('SIGINT');
  try {
    const run = main(['download', ...extra, '--display-name', name, server.url('big.bin'), path.join(folder.dir, `${name}.bin`)]);
    // Under way: on Windows bytes are arriving; under Wine it waits its turn, resumed.
    const underWay = async (j: BackgroundCopyJob): Promise<boolean> =>
      // "Life Cycle of a BITS Job": a resumed job with nothing ahead of it is TRANSFERRING while bytes arrive
      wine ? (await j.getState()) === 'queued' : (await j.getProgress()).bytesTransferred > 0;
    let job: BackgroundCopyJob | undefined;
    await vi.waitFor(
      async () => {
        for (const j of await m.listJobs()) {
          if (!job && (await j.getDisplayName()) === name && (await underWay(j))) job = j;
          else j.close();
        }
        expect(job, 'the download started').toBeDefined();
      },
      { timeout: 20_000, interval: 50 },
    );
    const added = process.listeners('SIGINT').filter((l) => !before.includes(l));
    expect(added).toHaveLength(1);
    for (const listener of added) (listener as () => void)();
    const code = await run;
    return { code, stderr: stderr.join(''), job: job!, finish };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

describe('bits download and Ctrl-C', () => {
  test('Ctrl-C cancels the job and says so', async () => {
    const { code, stderr, job, finish } = await interrupted([]);
    expect(code).toBe(1);
    expect(stderr).toContain('Interrupted: cancelling the job.');
    const state = await job.getState().catch((e: unknown) => (e as BitsError).code);
    expect(state).toBe('cancelled');
    // Cancel: deletes the job from the transfer queue; GetJob: BG_E_NOT_FOUND when no job has the id
    if (!wine) await expect((await manager()).getJob(job.id)).rejects.toMatchObject({ code: 'BG_E_NOT_FOUND' });
    await finish();
  });

  test('with --keep-on-error, Ctrl-C leaves the job in the queue and says so', async () => {
    const { code, stderr, job, finish } = await interrupted(['--keep-on-error']);
    created.push(job);
    expect(code).toBe(1);
    expect(stderr).toContain('the job stays in the BITS queue');
    const state = await job.getState();
    // "Life Cycle of a BITS Job": a resumed job left alone is TRANSFERRING, then TRANSFERRED
    if (wine) expect(state).toBe('queued');
    else expect(['transferring', 'transferred']).toContain(state);
    // Cancelled while it still waits its turn (safe under Wine), then the blocker.
    await job.cancel();
    await finish();
  });
});
