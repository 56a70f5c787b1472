// A user's ordinary habits against the job's events and waits: a listener that
// throws, removeAllListeners(), big numbers, a callback that races the first
// read, and `bits monitor` over a BITS that stopped answering. Each test here
// failed before the fix it names. Driven by the scripted binding; time is
// advanced with fake timers where a test must show that nothing happens.
import { EventEmitter, on, once } from 'node:events';

import { afterEach, describe, expect, test, vi } from 'vitest';

import { Context, UsageError } from '../../lib/cli/context.js';
import { main } from '../../lib/cli/main.js';
import { monitorCommand } from '../../lib/cli/monitor.js';
import { BitsError, TimeoutError } from '../../lib/index.js';
import type { BackgroundCopyJob, BackgroundCopyManager, JobState } from '../../lib/index.js';
import { watchedJobCount } from '../../lib/job/watch.js';
import { scripted } from '../support/scripted-binding.js';

const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  vi.useRealTimers();
  vi.restoreAllMocks();
  expect(watchedJobCount()).toBe(0);
});

/**
 * Node's own hook for uncaught exceptions: while it is set, what would reach
 * process's 'uncaughtException' is handed here instead (and nothing else sees it).
 */
function uncaught(): { errors: unknown[]; [Symbol.dispose](): void } {
  const errors: unknown[] = [];
  process.setUncaughtExceptionCaptureCallback((e) => errors.push(e));
  return { errors, [Symbol.dispose]: () => process.setUncaughtExceptionCaptureCallback(null) };
}

describe('a listener that throws', () => {
  // Node's convention for emitters driven by I/O (a socket's 'data'): the
  // listener's exception is an uncaught exception of the process. It is not the
  // emitter's error, and it is not anyone else's.
  test('on the poll path: other listeners, later events and the waits carry on; the exception reaches process once', async () => {
    using caught = uncaught();
    const s = scripted({ states: ['transferring', 'transferred'] });
    const job = s.job();
    job.pollIntervalMs = 10;
    const boom = new Error('listener bug');
    const seen: string[] = [];
    job.on('state', () => {
      throw boom;
    });
    job.on('state', (st) => seen.push(`state:${st}`));
    job.on('transferred', () => seen.push('transferred'));
    const other = s.job();
    other.on('state', (st) => seen.push(`other:${st}`));
    const wait = job.waitForTransfer({ pollIntervalMs: 10 });
    await expect(wait).resolves.toMatchObject({ bytesTotal: 100 });
    await vi.waitFor(() => expect(seen).toContain('transferred'));
    expect(seen).toEqual(expect.arrayContaining(['state:transferred', 'other:transferred', 'transferred']));
    await vi.waitFor(() => expect(caught.errors).toEqual([boom]));
    job.close();
    other.close();
  });

  test('on the callback path: nothing escapes into the addon, and the rest is delivered', async () => {
    vi.useFakeTimers();
    using caught = uncaught();
    const s = scripted({ states: ['transferring'] });
    const job = s.job();
    job.pollIntervalMs = 3_600_000;
    const seen: string[] = [];
    job.on('state', () => {
      throw new Error('listener bug');
    });
    job.on('transferred', () => seen.push('transferred'));
    const wait = job.waitForTransfer({ pollIntervalMs: 3_600_000 });
    await vi.advanceTimersByTimeAsync(0);
    // The addon calls the listener from its thread-safe function: it must return.
    expect(() => s.callback({ kind: 'transferred', state: 6, progress: { ...s.progress(), bytesTransferred: 100 } })).not.toThrow();
    await expect(wait).resolves.toMatchObject({ bytesTransferred: 100 });
    expect(seen).toEqual(['transferred']);
    await vi.advanceTimersByTimeAsync(0);
    expect(caught.errors).toHaveLength(1);
    job.close();
  });

  test("an 'error' state with no 'error' listener throws nothing; with one, it gets the job's error", async () => {
    using caught = uncaught();
    const s = scripted({ states: ['queued', 'error'], error: { context: 5, hresult: 0x80190194, description: null, systemDescription: '', contextDescription: null, protocol: 'http', file: null } });
    const job = s.job();
    job.pollIntervalMs = 10;
    const states: JobState[] = [];
    job.on('state', (st) => states.push(st));
    await vi.waitFor(() => expect(states).toEqual(['error']));
    // A rethrown exception would come on the next tick: let the loop turn once.
    await new Promise((r) => setImmediate(r));
    // EventEmitter throws an 'error' event nobody listens to: that must not happen here.
    expect(caught.errors).toEqual([]);
    job.close();
    const withListener = scripted({ states: ['queued', 'error'], error: { context: 5, hresult: 0x80190194, description: null, systemDescription: '', contextDescription: null, protocol: 'http', file: null } }).job();
    withListener.pollIntervalMs = 10;
    const [e] = (await once(withListener as unknown as EventEmitter, 'error')) as [BitsError];
    expect(e.code).toBe('BG_E_HTTP_ERROR_404');
    withListener.close();
  });
});

describe('the watch follows the listeners, whichever API adds or removes them', () => {
  test('removeAllListeners() with no argument, then a new listener: events flow again', async () => {
    const s = scripted({ states: ['queued', 'queued', 'transferred'] });
    const job = s.job();
    job.pollIntervalMs = 10;
    job.on('state', () => undefined);
    expect(watchedJobCount()).toBe(1);
    job.removeAllListeners();
    expect(watchedJobCount()).toBe(0);
    const transferred = new Promise((r) => job.on('transferred', r));
    expect(watchedJobCount()).toBe(1);
    await expect(transferred).resolves.toMatchObject({ bytesTotal: 100 });
    job.removeAllListeners('transferred');
    expect(watchedJobCount()).toBe(0);
  });

  test('prependListener, prependOnceListener, off, events.once and events.on', async () => {
    // Each new watch reads a baseline: three reads of 'queued', then the change.
    const s = scripted({ states: ['queued', 'queued', 'queued', 'transferred'] });
    const job = s.job();
    job.pollIntervalMs = 10;
    const fn = (): void => undefined;
    job.prependListener('progress', fn);
    expect(watchedJobCount()).toBe(1);
    job.off('progress', fn);
    expect(watchedJobCount()).toBe(0);
    job.prependOnceListener('progress', fn);
    expect(watchedJobCount()).toBe(1);
    job.removeAllListeners('progress');
    expect(watchedJobCount()).toBe(0);
    // events.once adds its own 'error' listener beside the one it waits for, and removes both.
    await once(job as unknown as EventEmitter, 'transferred');
    expect(watchedJobCount()).toBe(0);
    const again = scripted({ states: ['queued', 'transferring'] }).job();
    again.pollIntervalMs = 10;
    const states: JobState[] = [];
    for await (const [st] of on(again as unknown as EventEmitter, 'state')) {
      expect(watchedJobCount()).toBe(1);
      states.push(st as JobState);
      break;
    }
    expect(states).toEqual(['transferring']);
    expect(watchedJobCount()).toBe(0);
    job.close();
    again.close();
  });

  test('no event reaches a listener removed by an earlier listener of the same change', async () => {
    const s = scripted({ states: ['queued', 'transferred'] });
    const job = s.job();
    job.pollIntervalMs = 10;
    const got: string[] = [];
    const second = (): void => void got.push('second');
    job.on('state', () => {
      got.push('first');
      job.off('state', second);
    });
    job.on('state', second);
    await once(job as unknown as EventEmitter, 'transferred');
    expect(got).toEqual(['first']);
    job.close();
  });
});

describe('numbers past what a timer can hold', () => {
  test('timeoutMs over 2^31-1 waits its whole time (setTimeout would fire after 1 ms)', async () => {
    vi.useFakeTimers();
    const s = scripted({ states: ['transferring'] });
    const job = s.job();
    let settled: unknown;
    const wait = job.waitForTransfer({ pollIntervalMs: 3_600_000, timeoutMs: 2 ** 31 + 5000 }).catch((e: unknown) => (settled = e));
    await vi.advanceTimersByTimeAsync(2 ** 31);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(5000);
    await wait;
    expect(settled).toBeInstanceOf(TimeoutError);
    job.close();
  });

  test('pollIntervalMs refuses under 10 ms and over an hour, and anything not a number', () => {
    const job = scripted({ states: ['transferring'] }).job();
    for (const bad of [0, 9, 3_600_001, 2 ** 31, Number.NaN, Infinity]) expect(() => (job.pollIntervalMs = bad)).toThrow(RangeError);
    expect(() => (job.pollIntervalMs = '100' as unknown as number)).toThrow(TypeError);
    job.pollIntervalMs = 10;
    expect(job.pollIntervalMs).toBe(10);
    job.close();
  });

  test('progress() intervalMs over an hour is refused before any call', async () => {
    const s = scripted({ states: ['transferring'] });
    const job = s.job();
    await expect(job.progress({ intervalMs: 2 ** 31 }).next()).rejects.toThrow(RangeError);
    expect(s.calls).toEqual([]);
    job.close();
  });

  test('the CLI refuses --interval over an hour and --timeout past what it can count, before connecting', async () => {
    await expect(monitorCommand(new Context(false), undefined, { interval: '3601' })).rejects.toBeInstanceOf(UsageError);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // EXIT.usage (2), not EXIT.unsupported (3): the flag is checked before BITS is asked.
    await expect(main(['wait', '{00000000-0000-0000-0000-000000000001}', '--timeout', '99999999999999999'])).resolves.toBe(2);
  });
});

test('a callback during the first read is reported against that read, not swallowed into the baseline', async () => {
  const s = scripted({ states: ['transferring', 'transferred'], gated: true });
  const job = s.job();
  job.pollIntervalMs = 10;
  const states: JobState[] = [];
  let transferred = 0;
  job.on('state', (st) => states.push(st));
  job.on('transferred', () => transferred++);
  expect(s.calls.filter((c) => c === 'getStatus')).toHaveLength(1); // the first read, in flight
  s.callback({ kind: 'transferred', state: 6, progress: s.progress() });
  s.release(); // the first read answers 'transferring'
  await vi.waitFor(() => expect(s.calls.filter((c) => c === 'getStatus').length).toBeGreaterThanOrEqual(2));
  s.release(); // the read after the callback: 'transferred'
  await vi.waitFor(() => expect(transferred).toBe(1));
  expect(states).toEqual(['transferred']);
  job.close();
});

describe('bits monitor over a BITS that stopped answering', () => {
  function tty(): { frames: string[] } {
    const frames: string[] = [];
    // A pipe's stream has no isTTY of its own; the monitor draws only on a terminal.
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    cleanups.push(() => Reflect.deleteProperty(process.stdout, 'isTTY'));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      frames.push(String(chunk));
      return true;
    });
    return { frames };
  }
  const contextWith = (manager: Partial<BackgroundCopyManager>): Context => {
    const ctx = new Context(false);
    vi.spyOn(ctx, 'manager').mockResolvedValue(manager as BackgroundCopyManager);
    return ctx;
  };

  test('a job whose reads keep failing is dropped with one line saying why, and the table keeps redrawing', async () => {
    const died = new BitsError({ hresult: 0x800706ba, method: 'IBackgroundCopyJob::GetState' });
    const s = scripted({ states: ['transferring'], failFrom: { read: 0, error: died }, answers: { getDisplayName: () => Promise.resolve('n'), getType: () => Promise.resolve(0) } });
    const { frames } = tty();
    let listed = 0;
    const ctx = contextWith({ listJobs: () => Promise.resolve(listed++ === 0 ? [s.job()] : []) });
    const run = monitorCommand(ctx, undefined, { interval: '0.1' });
    await vi.waitFor(() => expect(frames.join('')).toContain('dropped: RPC_S_SERVER_UNAVAILABLE'));
    await vi.waitFor(() => expect(frames.filter((f) => f.includes('bits monitor')).length).toBeGreaterThanOrEqual(2));
    process.emit('SIGINT');
    await run;
  });

  test('Ctrl-C quits within 100 ms while a call into BITS never returns', async () => {
    tty();
    const ctx = contextWith({ listJobs: () => new Promise<BackgroundCopyJob[]>(() => undefined) });
    const run = monitorCommand(ctx, undefined, {}).then(() => 'quit');
    await vi.waitFor(() => expect(process.listenerCount('SIGINT')).toBeGreaterThan(0));
    process.emit('SIGINT');
    // The bound for q and Ctrl-C in every state: 100 ms.
    const late = new Promise((r) => setTimeout(r, 100, 'still running'));
    await expect(Promise.race([run, late])).resolves.toBe('quit');
  });
});
