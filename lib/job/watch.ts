// One watch per job id in the process, counted, the way @parcel/watcher shares one
// watcher per folder. Every BackgroundCopyJob wrapper of that id, waitForTransfer,
// progress(), the one-call transfers and `bits monitor` subscribe to it. It
// registers the addon's callback with BITS on the first interest and unregisters
// on the last; it polls at the fastest interval anyone asked for, one status read
// (one hop to the COM pool) per tick; and it turns what it sees into events once,
// for everyone. A callback's state and progress are used as they come: no second
// question to BITS between a JobTransferred callback and the 'transferred' listeners.
//
// A listener's exception is the listener's own, as on a socket: it is rethrown on
// its own tick, where it reaches `process` as an uncaught exception, and never
// stops the delivery to other subscribers, a wait, or the later events of a tick.
import type { NativeJob, NativeJobError, NativeJobEvent } from '../../binding.js';
import { binding } from '../binding.js';
import { JOB_STATES, enumName } from '../enums.js';
import type { JobState } from '../enums.js';
import type { NativeHandle } from '../handle.js';
import type { JobProgress, TransferredFile, TransferredRanges } from './types.js';

/** A job's state and progress at one moment, with its error in the error states. @internal */
export interface JobStatus {
  state: JobState;
  progress: JobProgress;
  /** Read with the state when it is 'error' or 'transient-error'; null otherwise or when BITS cannot say. */
  error: NativeJobError | null;
}

/** What changed, computed once per job id and handed to every subscriber. @internal */
export type WatchEvent =
  | { kind: 'progress'; progress: JobProgress }
  | { kind: 'state'; state: JobState; previous: JobState; status: JobStatus }
  | { kind: 'modification'; state: JobState; progress: JobProgress }
  | { kind: 'file-transferred'; file: TransferredFile }
  | { kind: 'file-ranges-transferred'; file: TransferredRanges };

/** One interest in a job. @internal */
export interface Subscriber {
  /** The handle the watch may use to ask BITS; it must not be closed while subscribed. */
  readonly handle: NativeHandle<NativeJob>;
  /** How often this subscriber wants a fresh status while no callback arrives. */
  pollIntervalMs(): number;
  /** Every fresh status: each poll and each callback that carries one. */
  onStatus?(status: JobStatus): void;
  /** Each change, once. */
  onEvent?(event: WatchEvent): void;
  /**
   * A status read failed (the service went away, the job is gone). Events ride
   * it out and the next tick tries again; a wait gives up with it.
   */
  onError?(error: Error): void;
}

/**
 * Calls a subscriber's or a listener's code so that its exception reaches
 * `process` as an uncaught exception, as a socket listener's would, and nothing
 * else: the caller carries on with the next subscriber and the next event.
 * @internal
 */
export function deliver(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    process.nextTick(() => {
      throw e;
    });
  }
}

const watches = new Map<string, Watch>();
/** The addon instance our dispatcher is registered with. */
let listeningTo: object | undefined;

// Runs on the JS thread from the addon's one thread-safe function: nothing may
// escape into it.
function dispatch(event: NativeJobEvent): void {
  deliver(() => watches.get(event.jobId)?.onCallback(event));
}

/**
 * Adds an interest in `jobId`. `immediate`: read the status now rather than at
 * the next tick (a wait must not start late). Returns the function that removes it.
 * @internal
 */
export function subscribe(jobId: string, subscriber: Subscriber, immediate = false): () => void {
  try {
    const b = binding();
    if (listeningTo !== b) {
      b.setEventListener(dispatch);
      listeningTo = b;
    }
  } catch {
    // No addon here (UnsupportedPlatformError): the poller alone serves.
  }
  let watch = watches.get(jobId);
  if (!watch) watches.set(jobId, (watch = new Watch(jobId)));
  watch.add(subscriber, immediate);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    watch.remove(subscriber);
  };
}

/** How many ids are watched now (tests: a watch must end with its last subscriber). @internal */
export function watchedJobCount(): number {
  return watches.size;
}

/** Reads the status through the addon's one-hop getStatus. @internal */
export async function readStatus(handle: NativeHandle<NativeJob>): Promise<JobStatus> {
  const s = await handle.call((j) => j.getStatus());
  return { state: enumName(JOB_STATES, s.state, 'job state'), progress: s.progress, error: s.error };
}

function sameProgress(a: JobProgress, b: JobProgress): boolean {
  return a.bytesTransferred === b.bytesTransferred && a.filesTransferred === b.filesTransferred && a.bytesTotal === b.bytesTotal && a.filesTotal === b.filesTotal;
}

class Watch {
  readonly #jobId: string;
  readonly #subscribers = new Set<Subscriber>();
  /** Whose handle registered the callback and asks BITS. */
  #owner: Subscriber | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerDue = 0;
  #polling = false;
  /** A poll was asked for while one was in flight: run another when it ends. */
  #again = false;
  /** Bumped by each callback: a poll issued before one may carry an older status. */
  #epoch = 0;
  #last: JobStatus | undefined;
  /**
   * No later than the moment #last was read, on process.hrtime's clock: a
   * callback's receivedAt (BITS called us, then the state was read), or the
   * moment a poll was issued (the read came after). A callback from before it
   * may carry an older state than #last and is not believed.
   */
  #lastReadNoLaterThan = 0;
  /** A callback came while the first read was in flight, before any baseline. */
  #heldDuringBaseline = false;

  constructor(jobId: string) {
    this.#jobId = jobId;
  }

  add(subscriber: Subscriber, immediate: boolean): void {
    this.#subscribers.add(subscriber);
    if (!this.#owner) this.#adopt(subscriber);
    if (immediate || !this.#last) void this.#poll();
    else this.#schedule();
  }

  remove(subscriber: Subscriber): void {
    if (!this.#subscribers.delete(subscriber)) return;
    if (this.#subscribers.size === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#release(subscriber);
      this.#owner = undefined;
      watches.delete(this.#jobId);
      return;
    }
    if (this.#owner === subscriber) {
      this.#release(subscriber);
      const next = [...this.#subscribers].find((s) => !s.handle.closed);
      this.#owner = undefined;
      if (next) this.#adopt(next);
    }
    this.#schedule();
  }

  // Callbacks are a speed-up, not a requirement (Wine never sends JobError, and a
  // service restart forgets the callback): the poller runs either way.
  #adopt(subscriber: Subscriber): void {
    this.#owner = subscriber;
    subscriber.handle.call((j) => j.subscribe()).catch(() => undefined);
  }

  #release(subscriber: Subscriber): void {
    if (!subscriber.handle.closed) subscriber.handle.call((j) => j.unsubscribe()).catch(() => undefined);
  }

  #interval(): number {
    let ms = Infinity;
    for (const s of this.#subscribers) ms = Math.min(ms, s.pollIntervalMs());
    return ms;
  }

  /** (Re)arms the timer for the fastest interval asked for, counted from now. */
  #schedule(): void {
    if (this.#subscribers.size === 0 || this.#polling) return;
    const ms = this.#interval();
    if (!Number.isFinite(ms)) return;
    const due = Date.now() + ms;
    // A shorter interval asked for later must not wait out a longer timer.
    if (this.#timer && this.#timerDue <= due) return;
    clearTimeout(this.#timer);
    this.#timerDue = due;
    this.#timer = setTimeout(() => void this.#poll(), ms);
  }

  async #poll(): Promise<void> {
    if (this.#polling) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    let owner = this.#owner;
    if (!owner || owner.handle.closed) {
      // The owner's object was closed under a live watch: another subscriber's
      // handle takes over, callback registration included.
      const next = [...this.#subscribers].find((s) => !s.handle.closed);
      if (!next) return;
      this.#adopt(next);
      owner = next;
    }
    this.#polling = true;
    const epoch = this.#epoch;
    const issuedAt = Number(process.hrtime.bigint());
    let status: JobStatus | undefined;
    let failure: Error | undefined;
    try {
      status = await readStatus(owner.handle);
    } catch (e) {
      // Closing an object under a live watch is not a failure: another handle
      // takes over at the next tick. Anything else is told to those who asked.
      if (!owner.handle.closed) failure = e instanceof Error ? e : new Error(String(e));
    }
    this.#polling = false;
    if (status) this.#answered(status, epoch, issuedAt);
    else if (failure) for (const s of this.#current()) deliver(() => s.onError?.(failure));
    if (this.#again) {
      this.#again = false;
      void this.#poll();
    } else this.#schedule();
  }

  /** A read's answer: the baseline, a change, or older than a callback seen meanwhile. */
  #answered(status: JobStatus, epoch: number, issuedAt: number): void {
    if (epoch === this.#epoch) {
      this.#lastReadNoLaterThan = issuedAt;
      this.#observe(status);
      return;
    }
    // A callback came meanwhile, so it is at least as new as this answer. With a
    // baseline it has been reported already. Without one it was held back
    // (#heldDuringBaseline): this answer is the baseline, and a read issued now,
    // after the callback, tells the change against it without stepping back.
    if (!this.#last && this.#heldDuringBaseline) {
      this.#heldDuringBaseline = false;
      this.#lastReadNoLaterThan = issuedAt;
      this.#observe(status);
      this.#again = true;
    }
  }

  /** The subscribers now; one removed while an event is handed out gets nothing more. */
  *#current(): Generator<Subscriber> {
    for (const s of [...this.#subscribers]) if (this.#subscribers.has(s)) yield s;
  }

  onCallback(e: NativeJobEvent): void {
    if (e.kind === 'file-transferred') {
      this.#emit({ kind: 'file-transferred', file: { remoteName: e.remoteName ?? '', localName: e.localName ?? '' } });
      return;
    }
    if (e.kind === 'file-ranges-transferred') {
      this.#emit({ kind: 'file-ranges-transferred', file: { remoteName: e.remoteName ?? '', localName: e.localName ?? '', ranges: e.ranges ?? [] } });
      return;
    }
    const state = e.state >= 0 ? enumName(JOB_STATES, e.state, 'job state') : this.#last?.state;
    const progress = e.progress ?? this.#last?.progress;
    if (!state || !progress) return;
    // An error state without BITS's error (JobModification says the state, only
    // JobError says why): one status read brings both, in one hop.
    if ((state === 'error' || state === 'transient-error') && !e.error) {
      void this.#poll();
      return;
    }
    // BITS may call back with what it read before a poll that has been seen
    // since (a JobModification overtaken by the poller): believing it would step
    // the state back and repeat a change. The poller brings anything newer.
    if (e.receivedAt < this.#lastReadNoLaterThan) return;
    this.#epoch++;
    if (!this.#last && this.#polling) {
      // The first read is in flight: its answer is the baseline this change is
      // told against (#answered), so the change is not swallowed into it.
      this.#heldDuringBaseline = true;
      return;
    }
    this.#lastReadNoLaterThan = e.receivedAt;
    this.#observe({ state, progress, error: e.error ?? null });
    // What the callback told needs no poll for a while.
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#schedule();
  }

  #observe(status: JobStatus): void {
    const last = this.#last;
    this.#last = status;
    for (const s of this.#current()) deliver(() => s.onStatus?.(status));
    if (!last) return; // the first status is the baseline, not a change
    const progressChanged = !sameProgress(status.progress, last.progress);
    const stateChanged = status.state !== last.state;
    if (progressChanged) this.#emit({ kind: 'progress', progress: status.progress });
    if (stateChanged) this.#emit({ kind: 'state', state: status.state, previous: last.state, status });
    if (stateChanged || progressChanged) this.#emit({ kind: 'modification', state: status.state, progress: status.progress });
  }

  #emit(event: WatchEvent): void {
    for (const s of this.#current()) deliver(() => s.onEvent?.(event));
  }
}
