// BackgroundCopyJob: IBackgroundCopyJob's methods and the job's events on its one
// watch, in the class; and BackgroundCopyJob4, what queryJob4() makes of a job.
// The methods of every other interface that QueryInterface reaches live in a
// table of their own file (job2-3.ts, job4.ts, job5.ts, http-options.ts), and
// are attached in one block at the end of this file, the way better-sqlite3
// attaches lib/methods/*: the module that makes jobs is the one that gives them
// their methods, so no import is made for its side effect.
import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';

import type { NativeJob } from '../../binding.js';
import { JOB_PRIORITIES, JOB_STATES, JOB_TYPES, PROXY_USAGES, enumName } from '../enums.js';
import type { JobPriority, JobState, JobType } from '../enums.js';
import { jobFailure, toJobError } from '../errors.js';
import type { JobError } from '../errors.js';
import { BackgroundCopyFile, fileFromNative } from '../file.js';
import { NativeHandle } from '../handle.js';
import { MAX_DESCRIPTION, MAX_DISPLAY_NAME, checkFileSpecs, checkProxySettings, requireInterval, requireLocalName, requireOneOf, requireRemoteName, requireString, requireWholeNumber } from '../validate.js';
import { httpOptionsMethods } from './http-options.js';
import type { BackgroundCopyJobHttpOptions } from './http-options.js';
import { job2Methods, job3Methods } from './job2-3.js';
import type { BackgroundCopyJob2, BackgroundCopyJob3 } from './job2-3.js';
import { job4Methods } from './job4.js';
import type { BackgroundCopyJob4Methods } from './job4.js';
import { job5Methods } from './job5.js';
import type { BackgroundCopyJob5 } from './job5.js';
import type { CompleteResult, FileSpec, JobEventMap, JobProgress, JobSnapshot, JobTimes, ProxySettings, WaitOptions } from './types.js';
import { progress, waitForTransfer } from './wait.js';
import { deliver, readStatus, subscribe } from './watch.js';
import type { WatchEvent } from './watch.js';

const BG_S_PARTIAL_COMPLETE = 0x00200017;
const BG_S_UNABLE_TO_DELETE_FILES = 0x0020001a;
const WATCHED_EVENTS: ReadonlySet<string> = new Set(['state', 'transferred', 'error', 'modification', 'file-transferred', 'file-ranges-transferred', 'progress']);

/** Wraps a job handle from the addon. @internal */
export function jobFromNative(native: NativeJob): BackgroundCopyJob {
  return NativeHandle.wrap(BackgroundCopyJob, native);
}

// The class's declaration merges with this interface: the methods of the newer
// job interfaces are defined in their own files and attached below.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface BackgroundCopyJob extends BackgroundCopyJob2, BackgroundCopyJob3, BackgroundCopyJob5, BackgroundCopyJobHttpOptions {}

/**
 * A BITS transfer job (IBackgroundCopyJob, and IBackgroundCopyJob2, 3, 5 and the
 * HTTP options interfaces through QueryInterface, asked once and kept). Get one
 * from `BackgroundCopyManager.createJob`, `getJob` or `listJobs`; it holds a
 * reference to the job in the BITS service until `close()` or garbage collection.
 *
 * Events: while anyone listens, the job's watch (one per job id in the process,
 * shared by every object of that id) registers our IBackgroundCopyCallback with
 * BITS and also polls every `pollIntervalMs`, because callbacks can go missing
 * (Wine never sends JobError; a service restart forgets the callback). Each
 * change reaches the listeners once, whichever path saw it first.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class BackgroundCopyJob extends EventEmitter<JobEventMap> {
  /** The job GUID: `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`, upper case, as bitsadmin prints it. */
  readonly id: string;
  readonly #handle: NativeHandle<NativeJob>;
  #unwatch: (() => void) | undefined;
  #pollIntervalMs = 2000;

  /** Not for application code: jobs come from BackgroundCopyManager. */
  protected constructor() {
    super();
    this.#handle = NativeHandle.adopt<NativeJob>('jobs come from BackgroundCopyManager: createJob, getJob or listJobs');
    this.id = this.#handle.field('id');
    this.#hook();
  }

  /**
   * How often the event watch asks BITS while listeners are attached (the
   * fastest of all interests in the job wins), in milliseconds: 10 to 3,600,000,
   * default 2000. Callbacks from BITS arrive between polls regardless.
   */
  get pollIntervalMs(): number {
    return this.#pollIntervalMs;
  }
  /** RangeError outside 10 to 3,600,000 ms; TypeError if not a number. */
  set pollIntervalMs(ms: number) {
    this.#pollIntervalMs = requireInterval('pollIntervalMs', ms);
  }

  // The watch follows the number of listeners on the watched events, whichever
  // API adds or removes them (on, once, off, prependListener, events.once,
  // events.on): Node reports each through these two events. Node's
  // removeAllListeners() removes the two hooks as well, so it puts them back.
  readonly #onNewListener = (event: string | symbol): void => {
    if (typeof event === 'string' && WATCHED_EVENTS.has(event)) this.#follow(1);
  };
  readonly #onRemoveListener = (event: string | symbol): void => {
    if (typeof event === 'string' && WATCHED_EVENTS.has(event)) this.#follow(0);
  };

  #hook(): void {
    if (!this.listeners('newListener').includes(this.#onNewListener)) this.on('newListener', this.#onNewListener);
    if (!this.listeners('removeListener').includes(this.#onRemoveListener)) this.on('removeListener', this.#onRemoveListener);
  }

  /** Starts or ends the watch to match the listeners; `adding`: one is about to be added. */
  #follow(adding: number): void {
    const listening = adding + [...WATCHED_EVENTS].reduce((n, e) => n + this.listenerCount(e), 0) > 0;
    if (listening && !this.#unwatch && !this.#handle.closed) {
      this.#unwatch = subscribe(this.id, { handle: this.#handle, pollIntervalMs: () => this.#pollIntervalMs, onEvent: (e) => this.#onWatchEvent(e) });
    } else if (!listening && this.#unwatch) {
      this.#unwatch();
      this.#unwatch = undefined;
    }
  }

  /** EventEmitter's, keeping the job's watch in step with the listeners that remain. */
  override removeAllListeners(...event: [eventName?: string | symbol]): this {
    // Node tells "all events" from "undefined" by the argument count.
    super.removeAllListeners(...(event as [keyof JobEventMap]));
    if (!this.#handle.closed) this.#hook();
    this.#follow(0);
    return this;
  }

  /**
   * Hands one change to each listener on its own: one that throws reaches
   * `process` as an uncaught exception (as a socket listener's would) and stops
   * neither the others nor the events after it. A listener removed by an
   * earlier one gets nothing.
   */
  #emitEach<K extends keyof JobEventMap>(event: K, ...args: JobEventMap[K]): void {
    for (const listener of this.rawListeners(event)) {
      if (!this.rawListeners(event).includes(listener)) continue;
      deliver(() => {
        (listener as (...a: unknown[]) => void).apply(this, args);
      });
    }
  }

  #onWatchEvent(e: WatchEvent): void {
    switch (e.kind) {
      case 'progress':
        this.#emitEach('progress', e.progress);
        return;
      case 'state':
        this.#emitEach('state', e.state, e.previous);
        if (e.state === 'transferred') this.#emitEach('transferred', e.status.progress);
        // Nobody listening to 'error' is nobody to tell: no throw, unlike emit().
        if (e.state === 'error') this.#emitEach('error', jobFailure(this.id, e.status.error));
        return;
      case 'modification':
        this.#emitEach('modification', { state: e.state, progress: e.progress });
        return;
      case 'file-transferred':
        this.#emitEach('file-transferred', e.file);
        return;
      case 'file-ranges-transferred':
        this.#emitEach('file-ranges-transferred', e.file);
    }
  }

  /** @internal Runs a binding call, refusing after close(). */
  call<T>(fn: (job: NativeJob) => Promise<T>): Promise<T> {
    return this.#handle.call(fn);
  }

  /** @internal The handle, for the waits. */
  get handle(): NativeHandle<NativeJob> {
    return this.#handle;
  }

  /**
   * QueryInterface for IBackgroundCopyJob4 (BITS 3.0, Vista and later): resolves
   * with this same object, typed as BackgroundCopyJob4; rejects with a BitsError
   * E_NOINTERFACE where the system lacks it. The answer is kept: asking again
   * costs no call to BITS.
   */
  async queryJob4(): Promise<BackgroundCopyJob4> {
    if (!(this instanceof BackgroundCopyJob4)) {
      await this.call((j) => j.queryInterface('IBackgroundCopyJob4'));
      // Same object, more methods: what QueryInterface means. One object per job
      // wrapper keeps one emitter, one closed state and one native reference.
      Object.setPrototypeOf(this, BackgroundCopyJob4.prototype);
    }
    if (this.#handle.closed) throw this.#handle.closedError();
    // Its prototype is BackgroundCopyJob4's now; that class adds no state of its own.
    return this as unknown as BackgroundCopyJob4;
  }

  /** IBackgroundCopyJob::GetDisplayName */
  getDisplayName(): Promise<string> {
    return this.call((j) => j.getDisplayName());
  }
  /** IBackgroundCopyJob::SetDisplayName */
  async setDisplayName(name: string): Promise<void> {
    const n = requireString('name', name, { maxLength: MAX_DISPLAY_NAME });
    await this.call((j) => j.setDisplayName(n));
  }
  /** IBackgroundCopyJob::GetType */
  async getType(): Promise<JobType> {
    return enumName(JOB_TYPES, await this.call((j) => j.getType()), 'job type');
  }
  /** IBackgroundCopyJob::GetState */
  async getState(): Promise<JobState> {
    return enumName(JOB_STATES, await this.call((j) => j.getState()), 'job state');
  }
  /** IBackgroundCopyJob::GetProgress */
  getProgress(): Promise<JobProgress> {
    return this.call((j) => j.getProgress());
  }
  /** The state and progress together, in one call to BITS's service thread. */
  async getSnapshot(): Promise<JobSnapshot> {
    const { state, progress: p } = await readStatus(this.#handle);
    return { state, progress: p };
  }

  /** IBackgroundCopyJob::AddFile. The local folder must exist; the file appears there after `complete()`. */
  async addFile(remoteUrl: string, localPath: string): Promise<void> {
    const remote = requireRemoteName('remoteUrl', remoteUrl);
    const local = requireLocalName('localPath', localPath);
    await this.call((j) => j.addFile(remote, local));
  }
  /** IBackgroundCopyJob::AddFileSet: several files in one call (and one round trip). */
  async addFiles(files: readonly FileSpec[]): Promise<void> {
    const set = checkFileSpecs(files);
    await this.call((j) => j.addFileSet(set));
  }
  /** IBackgroundCopyJob::EnumFiles */
  async listFiles(): Promise<BackgroundCopyFile[]> {
    return (await this.call((j) => j.enumFiles())).map(fileFromNative);
  }

  /** IBackgroundCopyJob::Resume: activates the job (new jobs start suspended). */
  async resume(): Promise<void> {
    await this.call((j) => j.resume());
  }
  /** IBackgroundCopyJob::Suspend */
  async suspend(): Promise<void> {
    await this.call((j) => j.suspend());
  }
  /**
   * IBackgroundCopyJob::Cancel: removes the job and deletes its temporary files.
   * Resolves `'temporary-files-left'` for BG_S_UNABLE_TO_DELETE_FILES.
   */
  async cancel(): Promise<'cancelled' | 'temporary-files-left'> {
    const hr = await this.call((j) => j.cancel());
    return hr === BG_S_UNABLE_TO_DELETE_FILES ? 'temporary-files-left' : 'cancelled';
  }
  /**
   * IBackgroundCopyJob::Complete: moves the transferred files to their final names
   * and ends the job. A download job may be completed at any time: only the files
   * already transferred are kept (`'partial'`, BG_S_PARTIAL_COMPLETE).
   * `'temporary-files-left'` is BG_S_UNABLE_TO_DELETE_FILES.
   */
  async complete(): Promise<CompleteResult> {
    const hr = await this.call((j) => j.complete());
    if (hr === BG_S_PARTIAL_COMPLETE) return 'partial';
    if (hr === BG_S_UNABLE_TO_DELETE_FILES) return 'temporary-files-left';
    return 'complete';
  }
  /** IBackgroundCopyJob::GetError: null when the job has no error. */
  async getError(): Promise<JobError | null> {
    const e = await this.call((j) => j.getError());
    return e === null ? null : toJobError(e);
  }

  /**
   * Resolves with the final progress once the job is transferred (it does not
   * call complete()). Rejects with the job's BitsError when it reaches 'error',
   * or stays in 'transient-error' longer than its no-progress timeout; with a
   * BitsError BITS_MC_JOB_CANCELLED if it is cancelled; with AbortError on abort
   * and TimeoutError after `timeoutMs`, leaving the job as it is; with
   * ObjectClosedError if this object is closed meanwhile. It shares the job's
   * one watch: a callback from BITS settles it at once.
   */
  waitForTransfer(options: WaitOptions = {}): Promise<JobProgress> {
    return waitForTransfer(this, options);
  }

  /** Progress snapshots every `intervalMs` (default 1000) until the job reaches a final state. */
  progress(options: { intervalMs?: number; signal?: AbortSignal } = {}): AsyncGenerator<JobProgress & Pick<JobSnapshot, 'state'>, void, undefined> {
    return progress(this, options);
  }

  /** IBackgroundCopyJob::GetDescription */
  getDescription(): Promise<string> {
    return this.call((j) => j.getDescription());
  }
  /** IBackgroundCopyJob::SetDescription (at most 1024 characters) */
  async setDescription(text: string): Promise<void> {
    const t = requireString('text', text, { maxLength: MAX_DESCRIPTION, allowEmpty: true });
    await this.call((j) => j.setDescription(t));
  }
  /** IBackgroundCopyJob::GetPriority */
  async getPriority(): Promise<JobPriority> {
    return enumName(JOB_PRIORITIES, await this.call((j) => j.getPriority()), 'priority');
  }
  /** IBackgroundCopyJob::SetPriority: 'foreground' transfers at once, the others in the background. */
  async setPriority(priority: JobPriority): Promise<void> {
    const p = JOB_PRIORITIES.indexOf(requireOneOf('priority', priority, JOB_PRIORITIES));
    await this.call((j) => j.setPriority(p));
  }
  /** IBackgroundCopyJob::GetNotifyFlags (BG_NOTIFY bits) */
  getNotifyFlags(): Promise<number> {
    return this.call((j) => j.getNotifyFlags());
  }
  /** IBackgroundCopyJob::SetNotifyFlags (BG_NOTIFY bits). Listening to events sets them while it lasts. */
  async setNotifyFlags(flags: number): Promise<void> {
    const f = requireWholeNumber('flags', flags, 0x3f);
    await this.call((j) => j.setNotifyFlags(f));
  }
  /** IBackgroundCopyJob::GetMinimumRetryDelay, in seconds */
  getMinimumRetryDelay(): Promise<number> {
    return this.call((j) => j.getMinimumRetryDelay());
  }
  /** IBackgroundCopyJob::SetMinimumRetryDelay, in seconds (BITS's default is 600) */
  async setMinimumRetryDelay(seconds: number): Promise<void> {
    const s = requireWholeNumber('seconds', seconds);
    await this.call((j) => j.setMinimumRetryDelay(s));
  }
  /** IBackgroundCopyJob::GetNoProgressTimeout, in seconds */
  getNoProgressTimeout(): Promise<number> {
    return this.call((j) => j.getNoProgressTimeout());
  }
  /** IBackgroundCopyJob::SetNoProgressTimeout, in seconds (BITS's default is 14 days) */
  async setNoProgressTimeout(seconds: number): Promise<void> {
    const s = requireWholeNumber('seconds', seconds);
    await this.call((j) => j.setNoProgressTimeout(s));
  }
  /** IBackgroundCopyJob::GetErrorCount: how often the job went to a (transient) error */
  getErrorCount(): Promise<number> {
    return this.call((j) => j.getErrorCount());
  }
  /** IBackgroundCopyJob::GetOwner: the owner's SID as a string */
  getOwner(): Promise<string> {
    return this.call((j) => j.getOwner());
  }
  /** IBackgroundCopyJob::GetTimes */
  async getTimes(): Promise<JobTimes> {
    const t = await this.call((j) => j.getTimes());
    const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
    return { creationTime: date(t.creationTime), modificationTime: date(t.modificationTime), transferCompletionTime: date(t.transferCompletionTime) };
  }
  /** IBackgroundCopyJob::TakeOwnership (administrators) */
  async takeOwnership(): Promise<void> {
    await this.call((j) => j.takeOwnership());
  }
  /** IBackgroundCopyJob::GetProxySettings */
  async getProxySettings(): Promise<ProxySettings> {
    const p = await this.call((j) => j.getProxySettings());
    return { usage: enumName(PROXY_USAGES, p.usage, 'proxy usage'), proxyList: p.proxyList, bypassList: p.bypassList };
  }
  /** IBackgroundCopyJob::SetProxySettings. The lists apply to 'override' only. */
  async setProxySettings(settings: ProxySettings): Promise<void> {
    const p = checkProxySettings('settings', settings);
    await this.call((j) => j.setProxySettings(...p));
  }

  /**
   * Releases this object's COM references now instead of at garbage collection.
   * The BITS job itself carries on; `manager.getJob(id)` gets it back. A wait
   * on this object rejects with ObjectClosedError.
   */
  close(): void {
    if (this.#handle.closed) return;
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#handle.close();
    this.removeAllListeners();
  }

  /** `using` support: the same as close(). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** What `util.inspect` and console.log show: the id, never a secret. */
  [inspect.custom](): string {
    return `${this.constructor.name} { id: '${this.id}'${this.#handle.closed ? ', closed' : ''} }`;
  }
}

// The class's declaration merges with this interface: its methods are job4.ts's table.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface BackgroundCopyJob4 extends BackgroundCopyJob4Methods {}

/**
 * IBackgroundCopyJob4 (BITS 3.0, Vista and later): peer caching, owner integrity
 * and elevation, maximum download time. Get it with `job.queryJob4()`, which
 * resolves with the job itself: events, `close()` and every other method are the job's.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class BackgroundCopyJob4 extends BackgroundCopyJob {}

// Every method that is not in a class body above: one table per BITS interface
// family, attached here and nowhere else.
Object.assign(BackgroundCopyJob.prototype, job2Methods, job3Methods, job5Methods, httpOptionsMethods);
Object.assign(BackgroundCopyJob4.prototype, job4Methods);
