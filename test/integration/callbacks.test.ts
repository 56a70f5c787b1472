// Every call that BITS makes into our callback object, made here the way BITS
// makes it: Wine's BITS calls JobTransferred only, so the
// test addon's driver (native/test/callback_driver.cc) takes the callback object
// from a real job's GetNotifyInterface and calls each method from threads of its
// own, with a job, file and error from Wine's BITS service.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, test, vi } from 'vitest';

import type { BackgroundCopyJob, BitsError, JobState, TransferredFile, TransferredRanges } from '../../lib/index.js';
import type { DriveCallbacksPlan } from '../support/test-binding.js';
import { watchedJobCount } from '../../lib/job/watch.js';
import { fileFixture, manager, randomContent, rawBinding, spawnToFiles, waitForState } from './helpers.js';

const HOUR = 3_600_000;
const root = fileURLToPath(new URL('../..', import.meta.url));
const { folder, createJob, serve } = fileFixture();
const server = serve({ 'a.bin': randomContent(100_000) });
const slow = serve({ 'slow.bin': randomContent(600_000) }, { bytesPerSecond: 400_000 });
const newJob = (name: string): Promise<BackgroundCopyJob> => createJob(`callbacks ${name}`);

/** Hops to the COM pool so far: lib/'s status reads, GetError included. */
const hops = (): number => rawBinding.debugStats().callsScheduled;

/** Until every call lib/ made (the watch's registration and first read) has settled. */
async function settled(): Promise<void> {
  await vi.waitFor(() => expect(rawBinding.debugStats().pendingCalls).toBe(0), { timeout: 10_000, interval: 20 });
}

const drive = (job: BackgroundCopyJob, plan: DriveCallbacksPlan) => rawBinding.debugDriveCallbacks(job.id, plan);

describe('callbacks driven as BITS calls them', () => {
  test("'file-transferred' carries the file's remote and local names", async () => {
    const job = await newJob('file');
    job.pollIntervalMs = HOUR;
    const local = path.join(folder.dir, 'named.bin');
    await job.addFile(server.url('a.bin'), local);
    const seen: TransferredFile[] = [];
    job.on('file-transferred', (f) => seen.push(f));
    await settled();
    const r = await drive(job, { method: 'FileTransferred' });
    expect(r.hresults).toEqual([0]);
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]).toEqual({ remoteName: server.url('a.bin'), localName: local });
    job.removeAllListeners();
  });

  test("'file-ranges-transferred' carries the ranges exactly: 0, 1 and 1,000 entries, BG_LENGTH_TO_EOF as null", async () => {
    const job = await newJob('ranges');
    job.pollIntervalMs = HOUR;
    const local = path.join(folder.dir, 'ranges.bin');
    await job.addFile(server.url('a.bin'), local);
    const seen: TransferredRanges[] = [];
    job.on('file-ranges-transferred', (f) => seen.push(f));
    await settled();
    const thousand = Array.from({ length: 1000 }, (_, i) => ({ offset: 2 ** 40 + i * 4096, length: i === 999 ? null : 4096 - i }));
    const cases = [[], [{ offset: 7, length: null }], thousand];
    for (const ranges of cases) {
      expect((await drive(job, { method: 'FileRangesTransferred', ranges })).hresults).toEqual([0]);
    }
    await vi.waitFor(() => expect(seen).toHaveLength(3));
    expect(seen.map((f) => f.ranges)).toEqual(cases);
    for (const f of seen) expect(f).toMatchObject({ remoteName: server.url('a.bin'), localName: local });
    job.removeAllListeners();
  });

  test("'error' comes from JobError alone, with the error BITS passed, and no second GetError", async () => {
    const job = await newJob('error');
    job.pollIntervalMs = HOUR; // the poller reads once (the baseline, 'suspended') and then sleeps
    const missing = server.url('missing.bin');
    await job.addFile(missing, path.join(folder.dir, 'missing.bin'));
    let hopsAtError = -1;
    const failure = new Promise<BitsError>((resolve) =>
      job.once('error', (e) => {
        hopsAtError = hops();
        resolve(e);
      }),
    );
    const states: JobState[] = [];
    job.on('state', (s) => states.push(s));
    await settled();
    await job.resume();
    // A real failure (404), read by calls of our own, not the watch's: Wine
    // never calls JobError, and the sleeping poller has not seen it.
    await waitForState(job, ['error']);
    expect(states).toEqual([]);
    const before = hops();
    const r = await drive(job, { method: 'JobError', errorFrom: job.id });
    expect(r.hresults).toEqual([0]);
    const e = await failure;
    // Zero hops between the driven callback and the listener: the error is the one BITS passed.
    expect(hopsAtError - before).toBe(0);
    expect(hops() - before).toBe(0);
    expect(e).toMatchObject({ code: 'BG_E_HTTP_ERROR_404', hresult: 0x80190194, context: 'remote-file', jobId: job.id });
    expect(e.file).toMatchObject({ remoteName: missing });
    expect(states).toEqual(['error']);
    job.removeAllListeners();
  });

  test("'modification' fires from JobModification", async () => {
    const job = await newJob('modification');
    job.pollIntervalMs = HOUR;
    const seen: Array<{ state: JobState; progress: { filesTotal: number } }> = [];
    job.on('modification', (m) => seen.push(m));
    await settled();
    // A change the sleeping poller does not see: BITS would call JobModification for it.
    await job.addFile(server.url('a.bin'), path.join(folder.dir, 'modified.bin'));
    const before = hops();
    expect((await drive(job, { method: 'JobModification' })).hresults).toEqual([0]);
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]).toMatchObject({ state: 'suspended', progress: { filesTotal: 1 } });
    expect(hops() - before).toBe(0);
    job.removeAllListeners();
  });

  test("each event exactly once when callbacks and the poller (10 ms) race", async () => {
    const job = await newJob('race');
    job.pollIntervalMs = 10;
    const states: JobState[] = [];
    let transferred = 0;
    job.on('state', (s) => states.push(s));
    job.on('transferred', () => transferred++);
    await job.addFile(slow.url('slow.bin'), path.join(folder.dir, 'race.bin'));
    await settled();
    await job.resume();
    // JobTransferred over and over, while the transfer runs and the watch polls
    // every 10 ms; then more once the job is transferred. One thread, so that this
    // test is about callbacks against the poller; a callback that read the state
    // before the poller did is the next test's, many threads at once the burst's.
    let after = 0;
    while (after < 3) {
      const r = await drive(job, { method: 'JobTransferred', calls: 20 });
      expect(r.hresults.every((hr) => hr === 0)).toBe(true);
      if (transferred > 0) after++;
    }
    // Room for a duplicate to show up: several more ticks of the watch, counted as hops.
    const ticks = hops();
    await vi.waitFor(() => expect(hops() - ticks).toBeGreaterThanOrEqual(5), { timeout: 10_000, interval: 20 });
    expect(transferred).toBe(1);
    expect(states.filter((s) => s === 'transferred')).toHaveLength(1);
    expect(states.at(-1)).toBe('transferred');
    for (let i = 1; i < states.length; i++) expect(states[i]).not.toBe(states[i - 1]);
    job.removeAllListeners();
  });

  // A callback's event carries the state it read, and may arrive after the
  // poller saw a newer one (Microsoft: JobModification may arrive after
  // JobTransferred). The watch does not believe a callback stamped before a read
  // it has already seen; without that, the state moved back and 'transferred'
  // fired twice here. The driver makes the stale read certain: its job's
  // GetProgress takes 1.5 s after GetState has answered.
  test('a callback that read the state before the poller did never moves it back', async () => {
    const job = await newJob('stale');
    job.pollIntervalMs = 10;
    const states: JobState[] = [];
    let transferred = 0;
    job.on('state', (s) => states.push(s));
    job.on('transferred', () => transferred++);
    await job.addFile(server.url('a.bin'), path.join(folder.dir, 'stale.bin'));
    await settled();
    const reads = rawBinding.debugStats().slowJobStateReads;
    const stale = drive(job, { method: 'JobModification', job: 'slow', delayMs: 1_500 });
    // The callback has read the state ('suspended'); its GetProgress now sleeps.
    await vi.waitFor(() => expect(rawBinding.debugStats().slowJobStateReads).toBeGreaterThan(reads), { timeout: 10_000, interval: 5 });
    await job.resume();
    await waitForState(job, ['transferred']);
    expect((await stale).hresults).toEqual([0]);
    const ticks = hops();
    await vi.waitFor(() => expect(hops() - ticks).toBeGreaterThanOrEqual(5), { timeout: 10_000, interval: 20 });
    job.removeAllListeners();
    expect(states.at(-1)).toBe('transferred');
    expect(states.filter((s) => s === 'transferred')).toHaveLength(1);
    expect(transferred).toBe(1);
  });

  test('nothing arrives after close(): callbacks driven on a closed job reach no listener', async () => {
    const job = await newJob('closed');
    const keeper = await newJob('keeper'); // still registered: the callback object comes from it
    job.pollIntervalMs = HOUR;
    keeper.pollIntervalMs = HOUR;
    keeper.on('state', () => undefined);
    await job.addFile(server.url('a.bin'), path.join(folder.dir, 'closed.bin'));
    let events = 0;
    for (const name of ['file-transferred', 'file-ranges-transferred', 'modification', 'state', 'transferred', 'progress'] as const) {
      job.on(name, () => events++);
    }
    await settled();
    const id = job.id;
    const watches = watchedJobCount(); // the job's and the keeper's
    expect(await rawBinding.debugNotifyInterface(id)).toBe('ours');
    job.close();
    await settled();
    // What a forgotten watch would leak: its poller, and BITS's reference to our callback.
    expect(watchedJobCount()).toBe(watches - 1);
    expect(await rawBinding.debugNotifyInterface(id)).toBe('none');
    const other = await (await manager()).getJob(id);
    await other.addFile(server.url('a.bin'), path.join(folder.dir, 'closed-2.bin')); // a change a live listener would see
    const before = rawBinding.debugStats().callbacksReceived;
    for (const method of ['JobTransferred', 'JobModification', 'FileTransferred', 'FileRangesTransferred'] as const) {
      const r = await rawBinding.debugDriveCallbacks(id, { method, via: keeper.id, ranges: [{ offset: 0, length: 1 }] });
      expect(r.hresults).toEqual([0]);
    }
    expect(rawBinding.debugStats().callbacksReceived - before).toBe(4);
    // The events were queued to the JS thread before the drive resolved; one more turn for stragglers.
    await rawBinding.debugRoundTrip();
    expect(events).toBe(0);
    keeper.removeAllListeners();
    await other.cancel(); // `job` is closed: its cleanup in afterAll cannot reach the job
    other.close();
  });

  // Each callback becomes one event, queued without limit to the JS thread
  // (runtime/event_sink.cc): BITS's threads never wait and nothing is coalesced
  // or dropped. A burst costs memory for the events in the queue until the JS
  // thread has delivered them, then it is freed: bounded by the burst, not growing.
  test('a burst of 10,000 callbacks from 8 threads: no crash, every event delivered, memory back where it was', async () => {
    const job = await newJob('burst');
    job.pollIntervalMs = HOUR;
    await job.addFile(server.url('a.bin'), path.join(folder.dir, 'burst.bin'));
    let files = 0;
    job.on('file-transferred', () => files++);
    await settled();
    const burst = async (calls: number): Promise<void> => {
      const start = files;
      const r = await drive(job, { method: 'FileTransferred', threads: 8, calls });
      expect(r.hresults.every((hr) => hr === 0)).toBe(true);
      await vi.waitFor(() => expect(files - start).toBe(calls), { timeout: 60_000, interval: 50 });
    };
    await burst(1_000); // warms the allocators and the JIT
    globalThis.gc?.();
    const memoryBefore = process.memoryUsage().rss;
    const objectsBefore = rawBinding.debugStats().liveComObjects;
    // Each call costs three calls into Wine's service (GetId, GetRemoteName,
    // GetLocalName), about 4 ms a callback under Wine: one burst is enough.
    await burst(10_000);
    globalThis.gc?.();
    const grew = process.memoryUsage().rss - memoryBefore;
    // 10,000 events delivered; a leak of 1 KB each would show as 10 MB.
    expect(grew).toBeLessThan(8 * 1024 * 1024);
    expect(rawBinding.debugStats().liveComObjects).toBe(objectsBefore);
    job.removeAllListeners();
  }, 120_000);

  test('null job and file pointers, and a job whose GetId fails: an HRESULT (S_OK), no event, no crash', async () => {
    const job = await newJob('nulls');
    job.pollIntervalMs = HOUR;
    await job.addFile(server.url('a.bin'), path.join(folder.dir, 'nulls.bin'));
    let events = 0;
    for (const name of ['file-transferred', 'file-ranges-transferred', 'modification', 'state'] as const) job.on(name, () => events++);
    await settled();
    const methods = ['JobTransferred', 'JobError', 'JobModification', 'FileTransferred', 'FileRangesTransferred'] as const;
    for (const method of methods) {
      for (const jobKind of ['null', 'getid-fails'] as const) {
        const r = await drive(job, { method, job: jobKind, file: 'null', ranges: [{ offset: 1, length: 2 }] });
        expect(r.hresults, `${method} with job ${jobKind}`).toEqual([0]);
      }
    }
    // A real job with a null file or a null error: the event goes with what can be read.
    expect((await drive(job, { method: 'FileTransferred', file: 'null' })).hresults).toEqual([0]);
    expect((await drive(job, { method: 'JobError' })).hresults).toEqual([0]);
    await rawBinding.debugRoundTrip();
    expect(events).toBe(1); // the file event with the null file, its names empty
    job.removeAllListeners();
  });
});

describe('no C++ exception crosses the COM boundary (allocations made to fail)', () => {
  // One drive per method: call i fails the call's allocation number i (sweep),
  // up to past the last one, which then succeeds.
  test('each callback method returns S_OK whichever of its allocations throws std::bad_alloc', async () => {
    const job = await newJob('bad_alloc');
    job.pollIntervalMs = HOUR;
    await job.addFile(server.url('a.bin'), path.join(folder.dir, 'bad-alloc.bin'));
    let delivered = 0;
    job.on('file-ranges-transferred', () => delivered++);
    await settled();
    const methods = ['JobTransferred', 'JobModification', 'FileTransferred', 'FileRangesTransferred'] as const;
    for (const method of methods) {
      const r = await drive(job, { method, calls: 120, ranges: [{ offset: 0, length: 10 }], failAllocations: { skip: 0, count: 1, sweep: true } });
      expect(r.hresults.every((hr) => hr === 0), method).toBe(true);
      const failing = r.allocationsFailedEach.filter((n) => n > 0).length;
      // Every allocation of the call was failed once, and the sweep went past the last.
      expect(failing, method).toBeGreaterThan(3);
      expect(r.allocationsFailedEach.slice(0, failing), method).toEqual(Array(failing).fill(1));
      expect(r.allocationsFailedEach.slice(failing).every((n) => n === 0), method).toBe(true);
      if (method === 'FileRangesTransferred') {
        // Only the calls that got through whole made an event.
        await vi.waitFor(() => expect(delivered).toBe(120 - failing));
      }
    }
    // And every allocation at once, from 8 threads.
    const r = await drive(job, { method: 'FileRangesTransferred', threads: 8, calls: 200, failAllocations: { skip: 0, count: 1_000_000 } });
    expect(r.hresults.every((hr) => hr === 0)).toBe(true);
    expect(r.allocationsFailed).toBeGreaterThanOrEqual(200);
    job.removeAllListeners();
  });

  test('the certificate validator refuses (CERT_E_UNTRUSTEDROOT) whichever of its allocations throws', async () => {
    const refused = 0x800b0109;
    const certificate = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]);
    const r = await rawBinding.debugDriveValidation(() => true, { certificate, limitMs: 10_000, calls: 40, failAllocations: { skip: 0, count: 1, sweep: true } });
    const failing = r.allocationsFailedEach.filter((n) => n > 0).length;
    expect(failing).toBeGreaterThan(2);
    // A failed allocation refuses; once the sweep is past the last one, JS's yes comes through.
    expect(r.hresults.slice(0, failing)).toEqual(Array(failing).fill(refused));
    expect(r.hresults.slice(failing)).toEqual(Array(40 - failing).fill(0));
  });

  // The habit of a careless user: let go of each job the moment it reads
  // 'transferred', which is when BITS makes its JobTransferred call. Letting go
  // must not stop BITS: every next job still transfers. Under Wine, taking the
  // registration away during that call hangs Wine's transfer thread for good (the
  // README's Wine list), so the addon leaves it with the job there. In a process
  // of its own, loading the packaged build as users do, because a BITS that stops
  // would take this process's COM calls with it.
  test("listeners dropped the moment their job reads 'transferred' leave BITS transferring the next job", { timeout: 240_000 }, async () => {
    const log = path.join(folder.dir, 'dropped.log');
    const child = spawnToFiles(process.execPath, [path.join(root, 'test', 'integration', 'fixtures', 'drop-at-transferred.mjs'), root, server.url('a.bin'), '8'], log);
    // A stopped BITS also hangs the child's own COM calls: it is ended at a deadline.
    const deadline = setTimeout(() => child.kill(), 200_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(deadline);
    // IBackgroundCopyCallback::JobTransferred page: BITS calls it when all of a job's
    // files have transferred; it does not depend on who listens afterwards.
    expect(readFileSync(log, 'utf8')).toContain('all 8 transferred');
    expect(code).toBe(0);
  });
});
