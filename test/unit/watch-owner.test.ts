// The job's one watch when things go sideways: the handle that registered the
// callback and polls is closed while others still listen; a callback says
// 'error' without BITS's error; the no-progress timeout cannot be read. Driven by
// the scripted binding, timers faked: time is advanced, never slept.
import { afterEach, describe, expect, test, vi } from 'vitest';

import { BitsError, ObjectClosedError } from '../../lib/index.js';
import type { JobState } from '../../lib/index.js';
import { watchedJobCount } from '../../lib/job/watch.js';
import { http404, scripted } from '../support/scripted-binding.js';

const HOUR = 3_600_000;

afterEach(() => {
  vi.useRealTimers();
  expect(watchedJobCount()).toBe(0);
});

describe('the watch outlives the handle that registered it', () => {
  test('another open wrapper takes over: it registers the callback, the polls go through it, its listeners get the events', async () => {
    vi.useFakeTimers();
    const s = scripted({ states: ['transferring', 'transferring', 'transferring', 'transferred'] });
    const a = s.job();
    // a's iterator is the watch's first interest: a's handle registers and polls.
    const snapshots = a.progress({ intervalMs: 100 });
    await expect(snapshots.next()).resolves.toEqual({ done: false, value: { state: 'transferring', bytesTotal: 100, bytesTransferred: 10, filesTotal: 1, filesTransferred: 0 } });
    expect(s.callsOf(a)).toEqual(['subscribe', 'getStatus']);

    const b = s.job();
    b.pollIntervalMs = HOUR;
    const states: JobState[] = [];
    const progress: number[] = [];
    b.on('state', (st) => states.push(st));
    b.on('progress', (p) => progress.push(p.bytesTransferred));
    // The watch has a status already: b joins it without a read of its own.
    expect(s.callsOf(b)).toEqual([]);

    // a is closed while its iterator, parked between two snapshots, is still subscribed.
    a.close();
    expect(s.callsOf(a).at(-1)).toBe('close');
    const aAtClose = s.callsOf(a).length;

    // The iterator's 100 ms still sets the pace; three ticks reach 'transferred'.
    await vi.advanceTimersByTimeAsync(300);
    expect(s.callsOf(b)).toEqual(['subscribe', 'getStatus', 'getStatus', 'getStatus']);
    expect(s.callsOf(a)).toHaveLength(aAtClose);
    expect(progress).toEqual([20, 30, 40]);
    expect(states).toEqual(['transferred']);

    // The iterator, resumed, ends with the closed handle's error and drops its interest.
    await expect(snapshots.next()).rejects.toBeInstanceOf(ObjectClosedError);
    expect(watchedJobCount()).toBe(1);
    b.close();
    expect(s.callsOf(a)).toHaveLength(aAtClose);
  });

  test('with no open handle left, nothing is asked at all until an open one subscribes', async () => {
    vi.useFakeTimers();
    const s = scripted({ states: ['transferring'] });
    const a = s.job();
    const snapshots = a.progress({ intervalMs: 100 });
    await snapshots.next();
    a.close();
    const atClose = s.calls.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.calls.slice(atClose)).toEqual([]);

    const b = s.job();
    b.pollIntervalMs = 100;
    const progress: number[] = [];
    b.on('progress', (p) => progress.push(p.bytesTransferred));
    await vi.advanceTimersByTimeAsync(100);
    expect(s.callsOf(b)).toEqual(['subscribe', 'getStatus']);
    expect(progress).toEqual([20]);
    await expect(snapshots.next()).rejects.toBeInstanceOf(ObjectClosedError);
    b.close();
  });
});

describe("a callback in an error state that does not carry BITS's error", () => {
  test.each([
    ['error', 4],
    ['transient-error', 5],
  ] as const)("'%s': one status read brings the state and the error together; the callback's word alone is not emitted", async (state, code) => {
    vi.useFakeTimers();
    const s = scripted({ states: ['transferring', state], error: http404 });
    const job = s.job();
    job.pollIntervalMs = HOUR;
    const states: JobState[] = [];
    const errors: BitsError[] = [];
    job.on('state', (st) => states.push(st));
    job.on('error', (e) => errors.push(e));
    await vi.advanceTimersByTimeAsync(0); // the baseline read: transferring
    const before = s.calls.length;
    s.callback({ kind: 'modification', state: code, progress: s.progress() });
    expect(states).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(s.calls.slice(before)).toEqual(['getStatus']);
    expect(states).toEqual([state]);
    if (state === 'error') {
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'BG_E_HTTP_ERROR_404', context: 'remote-file', jobId: job.id });
    } else expect(errors).toEqual([]);
    job.close();
  });
});

describe('waitForTransfer when the no-progress timeout cannot be read', () => {
  test("BITS's default of 14 days applies: still waiting just before, BG_E_NO_PROGRESS at 14 days, the read tried once", async () => {
    vi.useFakeTimers();
    const died = new BitsError({ hresult: 0x800706ba, method: 'IBackgroundCopyJob::GetNoProgressTimeout' });
    const s = scripted({ states: ['transient-error'], answers: { getNoProgressTimeout: () => Promise.reject(died) } });
    const job = s.job();
    let outcome: unknown = 'pending';
    const settled = job.waitForTransfer({ pollIntervalMs: HOUR }).then(
      () => (outcome = 'resolved'),
      (e: unknown) => (outcome = e),
    );
    await vi.advanceTimersByTimeAsync(14 * 24 * HOUR - HOUR);
    expect(outcome).toBe('pending');
    await vi.advanceTimersByTimeAsync(HOUR);
    await settled;
    expect(outcome).toBeInstanceOf(BitsError);
    expect(outcome).toMatchObject({ code: 'BG_E_NO_PROGRESS', jobId: job.id });
    expect(s.calls.filter((c) => c === 'getNoProgressTimeout')).toHaveLength(1);
    job.close();
  });
});
