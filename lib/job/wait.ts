// Waiting for a job and iterating its progress, both on the job's one watch
// (lib/job/watch.ts): they add an interest at their own interval and decide on
// each status it delivers, whether a poll or a BITS callback brought it. Neither
// asks BITS anything of its own, except the no-progress timeout once.
import type { NativeJob } from '../../binding.js';
import { FINAL_STATES } from '../enums.js';
import { AbortError, TimeoutError, jobCancelled, jobFailure, jobMadeNoProgress } from '../errors.js';
import type { NativeHandle } from '../handle.js';
import { requireInterval, requireWholeNumber } from '../validate.js';
import type { JobProgress, JobSnapshot, WaitOptions } from './types.js';
import { subscribe } from './watch.js';
import type { JobStatus } from './watch.js';

const DEFAULT_NO_PROGRESS_TIMEOUT_S = 14 * 24 * 3600;

/** The job as the waits need it. @internal */
export interface Waitable {
  readonly id: string;
  readonly handle: NativeHandle<NativeJob>;
}

interface CheckedWaitOptions {
  signal?: AbortSignal;
  pollIntervalMs: number;
  timeoutMs?: number;
  onProgress?: (p: JobProgress) => void;
}

function waitOptions(options: WaitOptions): CheckedWaitOptions {
  if (typeof options !== 'object' || (options as unknown) === null || Array.isArray(options)) throw new TypeError('options must be an object');
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new TypeError('options.onProgress must be a function');
  const out: CheckedWaitOptions = {
    pollIntervalMs: options.pollIntervalMs === undefined ? 500 : requireInterval('options.pollIntervalMs', options.pollIntervalMs),
  };
  if (options.signal) out.signal = options.signal;
  if (options.timeoutMs !== undefined) out.timeoutMs = requireWholeNumber('options.timeoutMs', options.timeoutMs, Number.MAX_SAFE_INTEGER);
  if (options.onProgress) out.onProgress = options.onProgress;
  return out;
}

// Node's setTimeout fires after 1 ms for anything over this (with a warning).
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * setTimeout for any delay up to Number.MAX_SAFE_INTEGER ms: a deadline longer
 * than Node's timer limit (24.8 days) waits in steps. Returns the cancel.
 */
function setDeadline(fire: () => void, ms: number): () => void {
  let timer: NodeJS.Timeout;
  const arm = (left: number): void => {
    timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fire()), Math.min(left, MAX_TIMER_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

function withJob<T extends AbortError | TimeoutError>(e: T, jobId: string): T {
  e.jobId = jobId;
  return e;
}

/** See BackgroundCopyJob.waitForTransfer. @internal */
export async function waitForTransfer(job: Waitable, options: WaitOptions): Promise<JobProgress> {
  const o = waitOptions(options);
  const signal = o.signal;
  if (signal?.aborted) throw withJob(new AbortError(undefined, { cause: signal.reason }), job.id);
  let transientSince: number | undefined;
  let noProgressMs: number | undefined;
  return new Promise<JobProgress>((resolve, reject) => {
    let done = false;
    // Assigned below, once finish() exists: finish() may run before they are.
    // eslint-disable-next-line prefer-const
    let unsubscribe: (() => void) | undefined;
    // eslint-disable-next-line prefer-const
    let offClose: (() => void) | undefined;
    const finish = (settle: () => void): void => {
      if (done) return;
      done = true;
      unsubscribe?.();
      offClose?.();
      deadline?.();
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const fail = (e: Error): void => finish(() => reject(e));
    const onAbort = (): void => fail(withJob(new AbortError(undefined, { cause: signal?.reason }), job.id));
    // The deadline has its own timer: a long poll interval must not stretch it.
    const deadline =
      o.timeoutMs === undefined ? undefined : setDeadline(() => fail(withJob(new TimeoutError(`job ${job.id} was not transferred within ${o.timeoutMs} ms`), job.id)), o.timeoutMs);

    const decide = (status: JobStatus): void => {
      if (done) return;
      // onProgress belongs to this wait: its exception rejects this wait alone.
      try {
        o.onProgress?.(status.progress);
      } catch (e) {
        return fail(e instanceof Error ? e : new Error(String(e)));
      }
      const { state } = status;
      if (state === 'transferred' || state === 'acknowledged') return finish(() => resolve(status.progress));
      if (state === 'error') return fail(jobFailure(job.id, status.error));
      if (state === 'cancelled') {
        return fail(jobCancelled(job.id));
      }
      if (state !== 'transient-error') {
        transientSince = undefined;
        return;
      }
      const now = Date.now();
      transientSince ??= now;
      const check = (limitMs: number): void => {
        if (done || transientSince === undefined || now - transientSince < limitMs) return;
        fail(status.error ? jobFailure(job.id, status.error) : jobMadeNoProgress(job.id));
      };
      if (noProgressMs !== undefined) return check(noProgressMs);
      job.handle
        .call((j) => j.getNoProgressTimeout())
        .catch(() => DEFAULT_NO_PROGRESS_TIMEOUT_S)
        .then((s) => check((noProgressMs ??= s * 1000)), fail);
    };
    if (job.handle.closed) return fail(job.handle.closedError());
    offClose = job.handle.onClose(() => fail(job.handle.closedError()));
    unsubscribe = subscribe(job.id, { handle: job.handle, pollIntervalMs: () => o.pollIntervalMs, onStatus: decide, onError: fail }, true);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** See BackgroundCopyJob.progress. @internal */
export async function* progress(
  job: Waitable,
  options: { intervalMs?: number; signal?: AbortSignal },
): AsyncGenerator<JobProgress & Pick<JobSnapshot, 'state'>, void, undefined> {
  const intervalMs = options.intervalMs === undefined ? 1000 : requireInterval('intervalMs', options.intervalMs, 0);
  const signal = options.signal;
  if (job.handle.closed) throw job.handle.closedError();
  let latest: JobStatus | undefined;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const offClose = job.handle.onClose(() => wake?.());
  const unsubscribe = subscribe(
    job.id,
    {
      handle: job.handle,
      pollIntervalMs: () => Math.max(10, intervalMs),
      onStatus: (s) => {
        latest = s;
        wake?.();
      },
      onError: (e) => {
        failure = e;
        wake?.();
      },
    },
    true,
  );
  const onAbort = (): void => wake?.();
  signal?.addEventListener('abort', onAbort);
  // Read through functions: the callbacks above change these between awaits.
  const stopped = (): boolean => signal?.aborted === true || job.handle.closed || failure !== undefined;
  const take = (): JobStatus | undefined => {
    const s = latest;
    latest = undefined;
    return s;
  };
  const ready = (due: number): boolean => latest !== undefined && Date.now() >= due;
  try {
    let lastYield = 0;
    for (;;) {
      // The next status, and at least intervalMs since the last snapshot (the
      // watch may poll faster for someone else).
      const due = lastYield + intervalMs;
      while (!stopped() && !ready(due)) {
        await new Promise<void>((r) => {
          wake = r;
          if (latest !== undefined) setTimeout(r, Math.max(0, due - Date.now()));
        });
        wake = undefined;
      }
      if (stopped()) {
        if (signal?.aborted) throw withJob(new AbortError(undefined, { cause: signal.reason }), job.id);
        throw failure ?? job.handle.closedError();
      }
      const status = take() as JobStatus;
      lastYield = Date.now();
      yield { ...status.progress, state: status.state };
      if (FINAL_STATES.has(status.state)) return;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    offClose();
    unsubscribe();
  }
}
