// Faults and bad input against the real service: generated wrong arguments, raw
// binding misuse, teardown with work in flight, 50 workers, garbage collection
// with listeners, the service going away, and 2,000 calls at once.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';

import type { NativeJob, NativeManager } from '../../binding.js';
import { BitsError, TimeoutError } from '../../lib/index.js';
import type { BackgroundCopyJob } from '../../lib/index.js';
import { cancelQuietly, manager, rawBinding, tempFolder } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const folder = tempFolder();
const created: BackgroundCopyJob[] = [];
afterAll(async () => {
  await cancelQuietly(...created);
  folder.cleanup();
});

/** Wrong values of every kind: other types, empty, huge, NUL, lone surrogates, negative, NaN, odd numbers. */
const wrong = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom('', '\0', 'a\0b', '\uD800', '\uDFFF x', 'x'.repeat(100_000), -1, -0.5, NaN, Infinity, 2 ** 32, 2 ** 53, '{not-a-guid}', 'ftp://x/y', 'relative\\path', '\\\\?\\C:\\x'),
);

function settlesAcceptably(p: Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('hung for 10 s')), 10_000);
    p.then(
      (value) => {
        clearTimeout(timer);
        // A generated value can be valid by chance; a job made that way is cancelled.
        if (value && typeof value === 'object' && 'cancel' in value) void (value as BackgroundCopyJob).cancel().catch(() => undefined);
        resolve();
      },
      (e: unknown) => {
        clearTimeout(timer);
        // TimeoutError: a wait given valid options by chance, ending as asked.
        if (e instanceof TypeError || e instanceof RangeError || e instanceof BitsError || e instanceof TimeoutError) resolve();
        else reject(new Error(`rejected with ${String(e)}`));
      },
    );
  });
}

describe('faults and bad input', () => {
  test('every public method, given generated wrong values, rejects with TypeError, RangeError or BitsError', async () => {
    const m = await manager();
    const job = await m.createJob('fuzzed');
    created.push(job);
    const job4 = await job.queryJob4();
    const calls: Array<[string, (v: never, w: never) => Promise<unknown>]> = [
      ['createJob', (v, w) => m.createJob(v, w)],
      ['getJob', (v) => m.getJob(v)],
      ['listJobs', (v) => m.listJobs(v)],
      ['getErrorDescription', (v, w) => m.getErrorDescription(v, w)],
      ['addFile', (v, w) => job.addFile(v, w)],
      ['addFiles', (v) => job.addFiles(v)],
      ['addFileWithRanges', (v, w) => job.addFileWithRanges(v, 'C:\\x.bin', w)],
      ['setDescription', (v) => job.setDescription(v)],
      ['setPriority', (v) => job.setPriority(v)],
      ['setNotifyFlags', (v) => job.setNotifyFlags(v)],
      ['setMinimumRetryDelay', (v) => job.setMinimumRetryDelay(v)],
      ['setProxySettings', (v) => job.setProxySettings(v)],
      ['setCredentials', (v) => job.setCredentials(v)],
      ['setCustomHeaders', (v) => job.setCustomHeaders(v)],
      ['setSecurityFlags', (v) => job.setSecurityFlags(v)],
      ['setClientCertificateByHash', (v, w) => job.setClientCertificateByHash(v, 'MY', w)],
      ['setNotifyCmdLine', (v, w) => job.setNotifyCmdLine(v, w)],
      ['replaceRemotePrefix', (v, w) => job.replaceRemotePrefix(v, w)],
      // A suspended job never transfers: a valid wait must give up on its own.
      ['waitForTransfer', (v) => job.waitForTransfer(v === undefined ? { timeoutMs: 300 } : typeof v === 'object' && v !== null ? { ...(v as object), timeoutMs: 300 } : v)],
      ['setMaximumDownloadTime', (v) => job4.setMaximumDownloadTime(v)],
      ['setPeerCachingFlags', (v) => job4.setPeerCachingFlags(v)],
    ];
    let tried = 0;
    for (const [name, call] of calls) {
      await fc.assert(
        fc.asyncProperty(wrong, wrong, async (v, w) => {
          tried++;
          await settlesAcceptably(call(v as never, w as never)).catch((e: unknown) => {
            throw new Error(`${name}: ${String(e)}`);
          });
        }),
        { numRuns: 60 },
      );
    }
    console.log(`faults: ${tried} generated inputs over ${calls.length} methods`);
    expect(tried).toBe(60 * calls.length);
    expect(await job.getState()).toBe('suspended'); // the job survived it all
  });

  test('values that are wrong for certain reject with TypeError or RangeError before any COM call', async () => {
    const m = await manager();
    const job = await m.createJob('definitely wrong');
    created.push(job);
    const job4 = await job.queryJob4();
    // Each would be coerced into something BITS accepts (-0.5 to 0, 2**32 to 0,
    // '' to no name) if lib/'s checks were gone: the fuzz above cannot tell a
    // lucky valid value from a coerced one, this table can.
    const cases: Array<[string, () => Promise<unknown>, typeof TypeError | typeof RangeError]> = [
      ['setMinimumRetryDelay(-0.5)', () => job.setMinimumRetryDelay(-0.5), RangeError],
      ['setNoProgressTimeout(2**32)', () => job.setNoProgressTimeout(2 ** 32), RangeError],
      ['setNotifyFlags(1.5)', () => job.setNotifyFlags(1.5), RangeError],
      ['setSecurityFlags(NaN)', () => job.setSecurityFlags(NaN), RangeError],
      ['setMaximumDownloadTime(-1)', () => job4.setMaximumDownloadTime(-1), RangeError],
      ['setPeerCachingFlags(4)', () => job4.setPeerCachingFlags(4), RangeError],
      ["setPriority('urgent')", () => job.setPriority('urgent' as 'high'), RangeError],
      ['setDescription(1025 characters)', () => job.setDescription('x'.repeat(1025)), RangeError],
      ["createJob('')", () => m.createJob(''), RangeError],
      ['createJob(42)', () => m.createJob(42 as unknown as string), TypeError],
      ["addFile('ftp://h/x', path)", () => job.addFile('ftp://h/x', 'C:\\x.bin'), RangeError],
      ["addFile(url, 'relative')", () => job.addFile('http://127.0.0.1/x', 'relative\\x.bin'), RangeError],
      ['setCustomHeaders(CRLF)', () => job.setCustomHeaders(['X-A: 1\r\nX-B: 2']), RangeError],
      ['setCredentials(password null byte)', () => job.setCredentials({ userName: 'u', password: 'a\0b' }), RangeError],
      ['getErrorDescription(-2**31 - 1)', () => m.getErrorDescription(-(2 ** 31) - 1), RangeError],
      ['waitForTransfer({ pollIntervalMs: 5 })', () => job.waitForTransfer({ pollIntervalMs: 5 }), RangeError],
    ];
    for (const [name, call, type] of cases) {
      const before = rawBinding.debugStats().callsScheduled;
      const e = await call().then(
        () => new Error(`${name} resolved`),
        (err: unknown) => err,
      );
      expect(e, name).toBeInstanceOf(type);
      expect(rawBinding.debugStats().callsScheduled, `${name} reached the COM pool`).toBe(before);
    }
  });

  test('the raw binding, misused directly, throws TypeError instead of crashing', async () => {
    type Loose = Record<string, (...a: unknown[]) => unknown>;
    const typed: NativeManager = await rawBinding.connect();
    const typedJob: NativeJob = await typed.createJob('raw', 0);
    const m = typed as unknown as Loose;
    const job = typedJob as unknown as Loose;
    const call = (o: Loose, name: string, ...args: unknown[]): unknown => o[name]!(...args);
    const misuse: Array<() => unknown> = [
      () => call(m, 'createJob', 42, 0),
      () => call(m, 'createJob', 'x', 'download'),
      () => call(m, 'getJob', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'),
      () => call(m, 'enumJobs', 'all'),
      () => call(job, 'addFile', 1, 2),
      () => call(job, 'addFileSet', [1, 2]),
      () => call(job, 'addFileSet', 'x'),
      () => call(job, 'setProperty', 999, true),
      () => call(job, 'setProperty', 3, 'yes'),
      () => call(job, 'setClientCertificateByID', 0, 'MY', Buffer.alloc(3)),
      () => call(job, 'addFileWithRanges', 'a', 'b', [{ offset: 'x' }]),
      () => call(job, 'setServerCertificateValidation', 42),
      () => call(job, 'queryInterface', 'IUnknownThing'),
    ];
    for (const f of misuse) {
      let threw: unknown;
      try {
        await f();
      } catch (e) {
        threw = e;
      }
      expect(threw instanceof TypeError || threw instanceof RangeError, String(threw)).toBe(true);
    }
    await typedJob.cancel();
    typedJob.close();
    typedJob.close();
    typed.close();
  });

  test.each(['exit', 'drain'])('a process that ends (%s) with calls in flight and jobs held exits with 0', async (mode) => {
    const log = path.join(folder.dir, `exit-${mode}.log`);
    const fd = openSync(log, 'w');
    const child = spawn(process.execPath, [path.join(root, 'test', 'integration', 'fixtures', 'exit-pending.mjs'), root, mode], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, readFileSync(log, 'utf8')).toBe(0);
  });

  test('50 worker threads load the addon, create a job and end: no crash, every reference released', async () => {
    const ownBefore = rawBinding.debugStats().liveComObjects;
    const ids: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => {
          const worker = new Worker(path.join(root, 'test', 'integration', 'fixtures', 'worker.mjs'), { workerData: { root, index: batch * 10 + i } });
          return new Promise<{ id: string; held: string; code: number }>((resolve, reject) => {
            let message: { id: string; held: string } | undefined;
            worker.on('message', (msg: { id: string; held: string }) => (message = msg));
            worker.on('error', reject);
            worker.on('exit', (code) => (message ? resolve({ ...message, code }) : reject(new Error(`worker exited ${code}`))));
          });
        }),
      );
      for (const r of results) {
        expect(r.code).toBe(0);
        ids.push(r.held);
      }
    }
    const stats = rawBinding.debugStats();
    // Only this thread's references remain in the whole process.
    expect(stats.processComObjects).toBe(stats.liveComObjects);
    expect(stats.liveComObjects).toBe(ownBefore);
    const m = await manager();
    for (const id of ids) await (await m.getJob(id)).cancel();
  });

  test('a job with listeners is kept alive; removing the last listener lets it be collected', async () => {
    const gc = (globalThis as { gc?: () => void }).gc!;
    const m = await manager();
    let collected = false;
    const registry = new FinalizationRegistry(() => (collected = true));
    const listener = (): void => undefined;
    const ref = await (async () => {
      const job = await m.createJob('gc with listeners');
      created.push(await m.getJob(job.id));
      job.pollIntervalMs = 60_000;
      job.on('state', listener);
      registry.register(job, 'job');
      return new WeakRef(job);
    })();
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(collected).toBe(false);
    expect(ref.deref()).toBeDefined();
    ref.deref()?.off('state', listener);
    for (let i = 0; i < 20 && !collected; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(collected).toBe(true);
  });

  test('2,000 mixed calls in flight across 50 jobs all settle, with the results of a sequential run', async () => {
    const m = await manager();
    const jobs = await Promise.all(Array.from({ length: 50 }, (_, i) => m.createJob(`concurrent ${i}`, i % 3 === 0 ? 'upload' : 'download')));
    created.push(...jobs);
    const ops = [(j: BackgroundCopyJob) => j.getState(), (j: BackgroundCopyJob) => j.getType(), (j: BackgroundCopyJob) => j.getDisplayName(), (j: BackgroundCopyJob) => j.getProgress()];
    const plan = Array.from({ length: 2000 }, (_, i) => [jobs[i % 50]!, ops[i % ops.length]!] as const);
    const parallel = await Promise.all(plan.map(([j, op]) => op(j)));
    const sequential = [];
    for (const [j, op] of plan) sequential.push(await op(j));
    expect(parallel).toEqual(sequential);
    expect(rawBinding.debugStats().pendingCalls).toBe(0);
  });

  test('calls on one object keep their order even when nobody awaits them (the COM threads run other objects in parallel)', async () => {
    const m = await manager();
    const job = await m.createJob('ordering');
    created.push(job);
    const writes = Array.from({ length: 100 }, (_, i) => job.setDescription(`step ${i}`));
    const read = job.getDescription();
    await Promise.all(writes);
    expect(await read).toBe('step 99');
    // A write queued after reads waits for them, and reads after it see it.
    const before = job.getDescription();
    const write = job.setDescription('last');
    const after = job.getDescription();
    await write;
    expect(await before).toBe('step 99');
    expect(await after).toBe('last');
  });
});
