// References: every COM reference the addon takes is given back, by close(),
// by garbage collection, and calls after close() fail clearly.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, test, vi } from 'vitest';

import { ObjectClosedError } from '../../lib/index.js';
import type { BackgroundCopyJob } from '../../lib/index.js';
import { cancelQuietly, fileFixture, manager, rawBinding, spawnToFiles } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { folder, created } = fileFixture();

const live = (): number => rawBinding.debugStats().liveComObjects;

let probe: BackgroundCopyJob | undefined;
/**
 * A round trip through the COM pool on an object of its own. Releases of other
 * objects may still run beside it (the pool runs different objects in
 * parallel), so a count that must drop is waited for with vi.waitFor.
 */
async function settled(): Promise<void> {
  probe ??= await (await manager()).createJob('probe');
  await probe.getState();
}
afterAll(async () => probe && cancelQuietly(probe));

describe('lifecycle', () => {
  test('close() releases the job reference; later calls reject with ObjectClosedError', async () => {
    const m = await manager();
    await settled();
    const before = live();
    const job = await m.createJob('closing');
    const job4 = await job.queryJob4();
    expect(live()).toBe(before + 2); // IBackgroundCopyJob and IBackgroundCopyJob4
    const again = await m.getJob(job.id);
    created.push(again);
    job.close();
    job.close(); // twice is harmless
    await vi.waitFor(() => expect(live()).toBe(before + 1), { timeout: 10_000, interval: 10 }); // only `again`
    await expect(job.getState()).rejects.toBeInstanceOf(ObjectClosedError);
    // lib refuses the call itself, with the name the addon's describe() gives the
    // job: the spelling the addon's own ObjectClosedError uses (binding.test.ts).
    await expect(job.getState()).rejects.toThrow(`Job ${job.id} is closed`);
    await expect(job4.getState()).rejects.toThrow(/closed/);
    expect(await again.getState()).toBe('suspended'); // the BITS job itself lives on
  });

  test('garbage collection releases what JS dropped', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'the integration project runs with --expose-gc').toBeTypeOf('function');
    const m = await manager();
    const job = await m.createJob('gc');
    created.push(job);
    await settled();
    const before = live();
    let held: BackgroundCopyJob[] | undefined = [];
    for (let i = 0; i < 50; i++) held.push(await m.getJob(job.id));
    expect(live()).toBe(before + 50);
    expect(held).toHaveLength(50);
    held = undefined;
    await vi.waitFor(
      () => {
        gc?.();
        expect(live()).toBe(before);
      },
      { timeout: 10_000, interval: 20 },
    );
  });

  test('a closed manager refuses calls; jobs from it stay usable', async () => {
    const { BackgroundCopyManager } = await import('../../lib/index.js');
    const m = await BackgroundCopyManager.connect();
    const job = await m.createJob('outlives its manager');
    created.push(job);
    m.close();
    await expect(m.createJob('no')).rejects.toBeInstanceOf(ObjectClosedError);
    expect(await job.getState()).toBe('suspended');
  });

  test('Windows handles do not grow with create/cancel/close cycles', async () => {
    const m = await manager();
    const cycle = async (): Promise<void> => {
      const job = await m.createJob('handles');
      await job.getState();
      await job.cancel();
      job.close();
    };
    // Warm-up: the first calls open what RPC and COM keep for the process.
    for (let i = 0; i < 10; i++) await cycle();
    await settled();
    const before = rawBinding.debugStats().processHandles;
    expect(before, 'the handle count is measured (on Wine from the system handle table)').toBeGreaterThan(0);
    const cycles = 100;
    for (let i = 0; i < cycles; i++) await cycle();
    await settled();
    const growth = rawBinding.debugStats().processHandles - before;
    // One handle leaked per cycle would show as 100; the slack is for handles
    // Node and the test runner open and close on their own meanwhile.
    expect(growth).toBeLessThan(10);
  });

  test('the promise of a call keeps the process alive, and the idle addon lets it end', async () => {
    const log = path.join(folder.dir, 'keep-alive.log');
    const child = spawnToFiles(process.execPath, [path.join(root, 'test', 'integration', 'fixtures', 'keep-alive.mjs'), root], log);
    // A process the idle addon kept alive would never close: the test's own timeout says so.
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const output = readFileSync(log, 'utf8');
    expect(output).toMatch(/settled: \d+ jobs listed/);
    expect(code, output).toBe(0);
  });

  test('nothing is pending once 20 calls at once have settled', async () => {
    const m = await manager();
    await Promise.all(Array.from({ length: 20 }, () => m.listJobs().then((js) => js.forEach((j) => j.close()))));
    expect(rawBinding.debugStats().pendingCalls).toBe(0);
  });
});
