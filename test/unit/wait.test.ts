// The waiting and event logic of BackgroundCopyJob and its one watch, driven by a
// scripted binding (test/support/scripted-binding.ts) that counts every call that
// would be a hop to the COM pool. Timers are faked where a test must show that
// nothing happens: time is advanced, never slept.
import { afterEach, describe, expect, test, vi } from 'vitest';

import { AbortError, BitsError, ObjectClosedError, TimeoutError } from '../../lib/index.js';
import type { JobState } from '../../lib/index.js';
import { watchedJobCount } from '../../lib/job/watch.js';
import { http404, scripted } from '../support/scripted-binding.js';

afterEach(() => {
  vi.useRealTimers();
  // Every test ends every interest it made: a watch left behind would poll forever.
  expect(watchedJobCount()).toBe(0);
});

describe('waitForTransfer', () => {
  test('resolves with the progress at transferred, one status read per tick', async () => {
    const s = scripted({ states: ['queued', 'transferring', 'transferred'] });
    await expect(s.job().waitForTransfer({ pollIntervalMs: 10 })).resolves.toMatchObject({ bytesTotal: 100 });
    expect(s.calls.filter((c) => c !== 'subscribe' && c !== 'unsubscribe')).toEqual(['getStatus', 'getStatus', 'getStatus']);
  });

  test("rejects with the job's BitsError at error, read with the state: no second GetError", async () => {
    const s = scripted({ states: ['transferring', 'error'], error: http404 });
    const job = s.job();
    const e = await job.waitForTransfer({ pollIntervalMs: 10 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(BitsError);
    expect(e).toMatchObject({ code: 'BG_E_HTTP_ERROR_404', context: 'remote-file', jobId: job.id, file: { remoteName: 'http://h/x' } });
    expect(s.calls).not.toContain('getError');
  });

  test("rejects once 'transient-error' outlasts the job's no-progress timeout", async () => {
    const s = scripted({ states: ['transferring', 'transient-error'], noProgressTimeout: 0, error: { ...http404, hresult: 0x8020002d, context: 6 } });
    await expect(s.job().waitForTransfer({ pollIntervalMs: 10 })).rejects.toMatchObject({ code: 'BG_E_CONNECT_FAILURE', context: 'general-transport' });
  });

  test("keeps waiting through a short 'transient-error'", async () => {
    const s = scripted({ states: ['transient-error', 'transient-error', 'transferring', 'transferred'], noProgressTimeout: 3600 });
    await expect(s.job().waitForTransfer({ pollIntervalMs: 10 })).resolves.toMatchObject({ bytesTransferred: 40 });
  });

  test('rejects with BITS_MC_JOB_CANCELLED when the job is cancelled', async () => {
    const s = scripted({ states: ['transferring', 'cancelled'] });
    await expect(s.job().waitForTransfer({ pollIntervalMs: 10 })).rejects.toMatchObject({ code: 'BITS_MC_JOB_CANCELLED' });
  });

  test('AbortError on abort, TimeoutError after timeoutMs, both naming the job', async () => {
    const s = scripted({ states: ['transferring'] });
    const job = s.job();
    const controller = new AbortController();
    const aborted = job.waitForTransfer({ pollIntervalMs: 10, signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    const e = await job.waitForTransfer({ pollIntervalMs: 10, timeoutMs: 30 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).jobId).toBe(job.id);
    await expect(job.waitForTransfer({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
  });

  test('timeoutMs holds even when the poll interval is longer (found by the fuzz suite)', async () => {
    vi.useFakeTimers();
    const s = scripted({ states: ['transferring'] });
    const wait = s.job().waitForTransfer({ pollIntervalMs: 3_600_000, timeoutMs: 50 });
    const settled = expect(wait).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(50);
    await settled;
  });

  test('closing the job rejects its wait with ObjectClosedError naming the job, and stops its calls', async () => {
    vi.useFakeTimers();
    const s = scripted({ states: ['transferring'] });
    const job = s.job();
    const wait = job.waitForTransfer({ pollIntervalMs: 100 });
    const settled = expect(wait).rejects.toThrow(`Job ${job.id} is closed`);
    await vi.advanceTimersByTimeAsync(250);
    job.close();
    await settled;
    await expect(wait).rejects.toBeInstanceOf(ObjectClosedError);
    const atClose = s.calls.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.calls.slice(atClose)).toEqual([]);
    expect(watchedJobCount()).toBe(0);
  });

  test('a status read that fails (the service died) rejects the wait with that error instead of waiting forever', async () => {
    const died = new BitsError({ hresult: 0x800706be, method: 'IBackgroundCopyJob::GetState' });
    const s = scripted({ states: ['transferring'], failFrom: { read: 2, error: died } });
    const job = s.job();
    await expect(job.waitForTransfer({ pollIntervalMs: 10 })).rejects.toBe(died);
    const seen: string[] = [];
    const iterate = async (): Promise<void> => {
      for await (const p of s.job().progress({ intervalMs: 10 })) seen.push(p.state);
    };
    await expect(iterate()).rejects.toBe(died);
  });

  test('bad options are refused', async () => {
    const s = scripted({ states: ['transferring'] });
    const job = s.job();
    await expect(job.waitForTransfer({ pollIntervalMs: 1 })).rejects.toBeInstanceOf(RangeError);
    await expect(job.waitForTransfer({ signal: 'x' as unknown as AbortSignal })).rejects.toBeInstanceOf(TypeError);
    expect(s.calls).toEqual([]);
  });
});

describe('events and the one watch', () => {
  test('the first listener subscribes, the last one removed unsubscribes; state changes arrive once', async () => {
    const s = scripted({ states: ['queued', 'queued', 'transferring', 'transferring', 'transferred', 'transferred'] });
    const job = s.job();
    job.pollIntervalMs = 10;
    const states: JobState[] = [];
    const onState = (st: JobState): void => void states.push(st);
    job.on('state', onState);
    const transferred = new Promise((r) => job.once('transferred', r));
    expect(s.calls).toContain('subscribe');
    await transferred;
    job.off('state', onState);
    expect(s.calls.at(-1)).toBe('unsubscribe');
    expect(states).toEqual(['transferring', 'transferred']);
    expect(watchedJobCount()).toBe(0);
  });

  test('no native call after close(), however long the poller would have run', async () => {
    vi.useFakeTimers();
    const s = scripted({ states: ['queued', 'transferring'] });
    const job = s.job();
    job.pollIntervalMs = 10;
    let events = 0;
    job.on('state', () => events++);
    await vi.advanceTimersByTimeAsync(35);
    expect(s.calls.filter((c) => c === 'getStatus').length).toBeGreaterThanOrEqual(3);
    job.close();
    const atClose = [...s.calls];
    await vi.advanceTimersByTimeAsync(60_000);
    expect(s.calls).toEqual(atClose);
    expect(atClose.at(-1)).toBe('close');
    expect(events).toBe(1); // queued -> transferring, before close
  });

  test('two objects of one job and a wait share one watch: one subscribe, one status read per tick at the fastest interval', async () => {
    vi.useFakeTimers();
    const s = scripted({ states: ['transferring'] });
    const a = s.job();
    const b = s.job();
    a.pollIntervalMs = 1000;
    b.pollIntervalMs = 400;
    a.on('progress', () => undefined);
    b.on('progress', () => undefined);
    expect(watchedJobCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    const first = s.calls.length;
    await vi.advanceTimersByTimeAsync(4000);
    expect(s.calls.filter((c) => c === 'subscribe').length).toBe(1);
    expect(s.calls.slice(first).filter((c) => c === 'getStatus').length).toBe(10); // every 400 ms
    const wait = a.waitForTransfer({ pollIntervalMs: 100, timeoutMs: 1000 });
    const timedOut = expect(wait).rejects.toBeInstanceOf(TimeoutError);
    const beforeWait = s.calls.length;
    await vi.advanceTimersByTimeAsync(1000);
    await timedOut;
    // The wait's immediate read, then every 100 ms until its deadline (which was
    // armed first, so it wins the tie at 1000 ms): still one read per tick.
    expect(s.calls.slice(beforeWait).filter((c) => c === 'getStatus').length).toBe(10);
    expect(s.calls.slice(first)).not.toContain('getState');
    a.close();
    b.close();
    expect(watchedJobCount()).toBe(0);
  });

  test("a JobTransferred callback reaches 'transferred' and the wait with no call to BITS", async () => {
    vi.useFakeTimers();
    const s = scripted({ states: ['transferring'] });
    const job = s.job();
    job.pollIntervalMs = 3_600_000;
    const got: string[] = [];
    job.on('transferred', () => got.push('event'));
    const wait = job.waitForTransfer({ pollIntervalMs: 3_600_000 }).then(() => got.push('wait'));
    await vi.advanceTimersByTimeAsync(0);
    const before = s.calls.length;
    s.callback({ kind: 'transferred', state: 6, progress: { ...s.progress(), bytesTransferred: 100 } });
    await wait;
    expect(got).toEqual(['event', 'wait']);
    expect(s.calls.slice(before)).toEqual([]);
    job.close();
  });

  test("'error' from the JobError callback alone carries BITS's error, with no GetError", async () => {
    vi.useFakeTimers();
    const s = scripted({ states: ['transferring'] });
    const job = s.job();
    job.pollIntervalMs = 3_600_000;
    const errors: BitsError[] = [];
    job.on('error', (e) => errors.push(e));
    await vi.advanceTimersByTimeAsync(0);
    const before = s.calls.length;
    s.callback({ kind: 'error', state: 4, progress: s.progress(), error: http404 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'BG_E_HTTP_ERROR_404', context: 'remote-file', file: { remoteName: 'http://h/x', localName: 'C:\\x' } });
    expect(s.calls.slice(before)).toEqual([]);
    job.close();
  });

  test('exactly once when a callback and a poll race: a poll issued before the callback is not believed', async () => {
    const s = scripted({ states: ['transferring'], gated: true });
    const job = s.job();
    job.pollIntervalMs = 10;
    const states: JobState[] = [];
    job.on('state', (st) => states.push(st));
    s.release(); // the baseline read: transferring
    await vi.waitFor(() => expect(s.calls.filter((c) => c === 'getStatus').length).toBe(2));
    // The second read is in flight; BITS calls back meanwhile.
    s.callback({ kind: 'transferred', state: 6, progress: s.progress() });
    s.release(); // the stale read answers 'transferring'
    await vi.waitFor(() => expect(s.calls.filter((c) => c === 'getStatus').length).toBe(3));
    expect(states).toEqual(['transferred']);
    job.close();
  });

  test('a callback older than a poll already seen (a JobModification overtaken by the poller) is not believed', async () => {
    const s = scripted({ states: ['transferring', 'transferred'] });
    const job = s.job();
    job.pollIntervalMs = 10;
    const states: JobState[] = [];
    let transferred = 0;
    job.on('state', (st) => states.push(st));
    job.on('transferred', () => transferred++);
    const stamped = Number(process.hrtime.bigint()); // BITS called us here and read 'transferring'
    await vi.waitFor(() => expect(transferred).toBe(1)); // then the poller saw 'transferred'
    s.callback({ kind: 'modification', state: 2, progress: s.progress(), receivedAt: stamped });
    const reads = s.calls.filter((c) => c === 'getStatus').length;
    await vi.waitFor(() => expect(s.calls.filter((c) => c === 'getStatus').length).toBeGreaterThan(reads + 2));
    expect(states).toEqual(['transferred']);
    expect(transferred).toBe(1);
    job.close();
  });

  test('file callbacks carry names and ranges exactly', () => {
    const s = scripted({ states: ['transferring'] });
    const job = s.job();
    const files: unknown[] = [];
    job.on('file-transferred', (f) => files.push(f));
    job.on('file-ranges-transferred', (f) => files.push(f));
    s.callback({ kind: 'file-transferred', remoteName: 'http://h/a', localName: 'C:\\a' });
    const ranges = [
      { offset: 0, length: 10 },
      { offset: 20, length: null },
    ];
    s.callback({ kind: 'file-ranges-transferred', remoteName: 'http://h/a', localName: 'C:\\a', ranges });
    expect(files).toEqual([
      { remoteName: 'http://h/a', localName: 'C:\\a' },
      { remoteName: 'http://h/a', localName: 'C:\\a', ranges },
    ]);
    job.close();
  });
});

describe('progress()', () => {
  test('yields snapshots on the watch until a final state, then ends its interest', async () => {
    const s = scripted({ states: ['queued', 'transferring', 'transferred'] });
    const seen: string[] = [];
    for await (const p of s.job().progress({ intervalMs: 10 })) seen.push(`${p.state}:${p.bytesTransferred}`);
    expect(seen).toEqual(['queued:10', 'transferring:20', 'transferred:30']);
    expect(s.calls.filter((c) => c === 'getStatus')).toHaveLength(3);
    expect(watchedJobCount()).toBe(0);
  });
});
