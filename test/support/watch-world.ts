// The world the watch model runs in: one BITS job whose true states are a list
// (the reference model), a binding that answers status reads and calls back the
// way the addon does, but only when a command says so, and the users' objects
// (wrappers, listeners, waits) with what each of them was told. The clock that
// stamps a callback's receivedAt and a poll's issue is one counter, so every
// moment in a run is ordered.
import type { NativeJob, NativeJobEvent, NativeProgress } from '../../binding.js';
import { useBinding } from '../../lib/binding.js';
import { jobFromNative } from '../../lib/job/job.js';
import type { BackgroundCopyJob, JobProgress, JobState } from '../../lib/index.js';
import { STATE, http404 } from './scripted-binding.js';
import type { StateName } from './scripted-binding.js';

export const FINAL: ReadonlySet<JobState> = new Set(['transferred', 'acknowledged', 'error', 'cancelled']);
export const WATCHED = ['state', 'transferred', 'modification'] as const;
export type Watched = (typeof WATCHED)[number];

/** One moment of the true job: what any read at or after `at` (until the next) sees. */
export interface Truth {
  at: number;
  state: StateName;
  bytes: number;
}

/** A status read the watch asked for: issued, read by "the pool" at `sample`, answered later. */
export interface Read {
  wrapper: number;
  issuedAt: number;
  sample?: number;
  done?: 'answered' | 'failed';
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export type Entry =
  | { e: 'state'; state: JobState; previous: JobState; hist: number; on: ReadonlySet<Watched> }
  | { e: 'transferred'; hist: number }
  | { e: 'modification'; state: JobState; bytes: number; hist: number };

/** A user's listener: one function on each watched event of one wrapper, and what it heard. */
export interface Recorder {
  id: number;
  wrapper: number;
  on: Set<Watched>;
  log: Entry[];
  /** A read issued as it subscribed (its first status), or a history index known to be the watch's status then. */
  anchor: Read | number | undefined;
  fns: Record<Watched, (...a: unknown[]) => void>;
}

export interface Thrower {
  wrapper: number;
  event: Watched;
  on: boolean;
  fn: () => void;
}

export interface Wait {
  id: number;
  slot: Slot;
  start: number;
  timeoutMs: number | undefined;
  outcome?: { ok: true; progress: JobProgress; hist: number } | { ok: false; error: unknown; at: number; hist: number };
}

export interface Slot {
  job: BackgroundCopyJob;
  native: number;
  closed: boolean;
}

let ids = 0;

export class World {
  readonly id = `{00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}}`;
  clock = 0;
  readonly history: Truth[];
  readonly reads: Read[] = [];
  readonly pending: NativeJobEvent[] = [];
  readonly slots: Slot[] = [];
  /** Native handles (by number) with the callback registered and not closed. */
  readonly registered = new Set<number>();
  readonly closedNatives = new Set<number>();
  readonly recorders: Recorder[] = [];
  readonly throwers: Thrower[] = [];
  readonly waits: Wait[] = [];
  /** Errors thrown by listeners, and whether process saw each as uncaught. */
  readonly thrown = new Map<Error, boolean>();
  readonly readFailures = new Set<Error>();
  readonly violations: string[] = [];
  /** The watch lived through the last settle and the job has not changed since: its status is the truth. */
  synced = false;
  #dispatch: ((e: NativeJobEvent) => void) | undefined;
  #natives = 0;

  /**
   * `eager`: the pool reads the job as soon as it is asked, and only the answer
   * may come late (otherwise a command says when it reads).
   */
  constructor(
    initial: StateName,
    readonly eager = false,
  ) {
    this.history = [{ at: this.tick(), state: initial, bytes: initial === 'transferred' || initial === 'acknowledged' ? 100 : 0 }];
    useBinding({
      connect: () => Promise.reject(new Error('model: no manager')),
      setEventListener: (fn: (e: NativeJobEvent) => void) => {
        this.#dispatch = fn;
      },
      setErrorClasses: () => undefined,
      availability: () => Promise.reject(new Error('model: no availability')),
    });
    this.open(0);
    this.open(1);
  }

  tick(): number {
    return ++this.clock;
  }

  get truth(): Truth {
    return this.history[this.history.length - 1]!;
  }

  progressOf(t: Truth): NativeProgress {
    return { bytesTotal: 100, bytesTransferred: t.bytes, filesTotal: 1, filesTransferred: t.bytes === 100 ? 1 : 0 };
  }

  #status(t: Truth): unknown {
    return { state: STATE[t.state], progress: this.progressOf(t), error: t.state === 'error' || t.state === 'transient-error' ? http404 : null };
  }

  /** A wrapper in slot `i`, as manager.getJob gives. */
  open(i: number): void {
    const n = this.#natives++;
    const log = (name: string): Promise<undefined> => {
      if (name === 'subscribe') this.registered.add(n);
      if (name === 'unsubscribe') this.registered.delete(n);
      return Promise.resolve(undefined);
    };
    const native = {
      id: this.id,
      getStatus: () =>
        new Promise((resolve, reject) => {
          const r: Read = { wrapper: i, issuedAt: this.tick(), resolve, reject };
          if (this.eager) this.sample(r);
          this.reads.push(r);
        }),
      // The longest BITS takes (a DWORD of seconds): 'transient-error' lasts as long as the model says.
      getNoProgressTimeout: () => Promise.resolve(0xffffffff),
      subscribe: () => log('subscribe'),
      unsubscribe: () => log('unsubscribe'),
      describe: () => `Job ${this.id}`,
      close: () => {
        this.registered.delete(n);
        this.closedNatives.add(n);
      },
    } as unknown as NativeJob;
    this.slots[i] = { job: jobFromNative(native), native: n, closed: false };
  }

  /** The pool reads the job now. */
  sample(r: Read): void {
    r.sample ??= this.history.length - 1;
  }

  answer(r: Read): void {
    this.sample(r);
    r.done = 'answered';
    this.reads.splice(this.reads.indexOf(r), 1);
    r.resolve(this.#status(this.history[r.sample!]!));
  }

  fail(r: Read): void {
    const e = new Error('model: the BITS service went away');
    this.readFailures.add(e);
    r.done = 'failed';
    this.reads.splice(this.reads.indexOf(r), 1);
    r.reject(e);
  }

  /** BITS calls the registered callback now; the addon reads the job in that call. */
  notify(errorKind: boolean): void {
    if (this.registered.size === 0) return;
    const t = this.truth;
    const receivedAt = this.tick();
    const kind = t.state === 'transferred' ? 'transferred' : t.state === 'error' && errorKind ? 'error' : 'modification';
    const e = { jobId: this.id, kind, state: STATE[t.state], receivedAt, progress: this.progressOf(t) } as NativeJobEvent;
    if (kind === 'error') e.error = http404;
    this.pending.push(e);
  }

  deliver(e: NativeJobEvent): void {
    this.pending.splice(this.pending.indexOf(e), 1);
    try {
      this.#dispatch?.(e);
    } catch (err) {
      this.violations.push(`an exception escaped into the addon's callback: ${String(err)}`);
    }
  }

  /** Number of listeners of watched events on open wrapper `w` (recorders' and throwers'). */
  listenersOn(w: number): number {
    const job = this.slots[w]!.job;
    return WATCHED.reduce((n, ev) => n + job.listenerCount(ev), 0);
  }

  interests(): number {
    let n = this.waits.filter((w) => !w.outcome).length;
    for (const r of this.recorders) if (r.on.size > 0) n++;
    for (const t of this.throwers) if (t.on) n++;
    return n;
  }

  addRecorder(w: number, prepend: boolean): void {
    const job = this.slots[w]!.job;
    const before = this.reads.length;
    const rec: Recorder = { id: this.recorders.length, wrapper: w, on: new Set(), log: [], anchor: undefined, fns: {} as Recorder['fns'] };
    const heard = (ev: Watched): void => {
      if (!rec.on.has(ev)) this.violations.push(`listener ${rec.id} heard '${ev}' after it was removed`);
    };
    rec.fns.state = (state, previous) => {
      heard('state');
      rec.log.push({ e: 'state', state: state as JobState, previous: previous as JobState, hist: this.history.length, on: new Set(rec.on) });
    };
    rec.fns.transferred = () => {
      heard('transferred');
      rec.log.push({ e: 'transferred', hist: this.history.length });
    };
    rec.fns.modification = (snap) => {
      heard('modification');
      const s = snap as { state: JobState; progress: JobProgress };
      rec.log.push({ e: 'modification', state: s.state, bytes: s.progress.bytesTransferred, hist: this.history.length });
    };
    this.recorders.push(rec);
    // Listeners that throw are added with on(): a recorder prepended runs before them,
    // as Node runs an emitter's listeners in order and stops at a throw.
    const first = prepend || this.throwers.some((t) => t.on && t.wrapper === w);
    for (const ev of WATCHED) {
      rec.on.add(ev);
      if (first) job.prependListener(ev, rec.fns[ev]);
      else job.on(ev, rec.fns[ev]);
    }
    if (this.reads.length > before) rec.anchor = this.reads[this.reads.length - 1];
    else if (this.synced) rec.anchor = this.history.length - 1;
  }

  removeRecorder(rec: Recorder): void {
    const job = this.slots[rec.wrapper]!.job;
    for (const ev of [...rec.on]) {
      rec.on.delete(ev);
      job.off(ev, rec.fns[ev]);
    }
  }

  addThrower(w: number, event: Watched): void {
    const job = this.slots[w]!.job;
    const t: Thrower = {
      wrapper: w,
      event,
      on: true,
      fn: () => {
        const e = new Error(`a listener's bug (${event})`);
        this.thrown.set(e, false);
        throw e;
      },
    };
    this.throwers.push(t);
    job.on(event, t.fn);
  }

  /** What removeAllListeners(name?) and close() take away, in the model. */
  forget(w: number, event?: Watched): void {
    for (const r of this.recorders) {
      if (r.wrapper !== w) continue;
      if (event) r.on.delete(event);
      else r.on.clear();
    }
    for (const t of this.throwers) if (t.wrapper === w && (!event || t.event === event)) t.on = false;
  }

  startWait(w: number, pollIntervalMs: number, timeoutMs: number | undefined): void {
    const slot = this.slots[w]!;
    const wait: Wait = { id: this.waits.length, slot, start: Date.now(), timeoutMs };
    this.waits.push(wait);
    slot.job.waitForTransfer(timeoutMs === undefined ? { pollIntervalMs } : { pollIntervalMs, timeoutMs }).then(
      (progress) => (wait.outcome = { ok: true, progress, hist: this.history.length }),
      (error: unknown) => (wait.outcome = { ok: false, error, at: Date.now(), hist: this.history.length }),
    );
  }
}
