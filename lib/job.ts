import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';

import type { NativeJob, NativeJobError, NativeJobEvent } from '../binding.js';
import {
  AUTH_SCHEMES,
  AUTH_TARGETS,
  BITS_JOB_PROPERTY,
  CERT_STORE_LOCATIONS,
  ERROR_CONTEXTS,
  FINAL_STATES,
  JOB_PRIORITIES,
  JOB_STATES,
  JOB_TYPES,
  PROXY_USAGES,
  enumName,
} from './enums.js';
import type { AuthScheme, AuthTarget, CertStoreLocation, ErrorContext, JobPriority, JobState, JobType, ProxyUsage } from './enums.js';
import { AbortError, BitsError, ObjectClosedError, TimeoutError, builtInDescription, hresultName } from './errors.js';
import { NativeHandle } from './handle.js';
import { unwatch, watch } from './events.js';
import { BackgroundCopyFile, checkRanges } from './file.js';
import type { FileRange } from './file.js';
import type { BitsErrorFile } from './errors.js';
import type { BackgroundCopyJob4 } from './job4.js';
import {
  MAX_DESCRIPTION,
  MAX_DISPLAY_NAME,
  requireBoolean,
  requireGuid,
  requireLocalName,
  requireOneOf,
  requireRemoteName,
  requireString,
  requireUint32,
} from './validate.js';

/** BG_JOB_PROGRESS. `bytesTotal` is null while BITS does not know the size. */
export interface JobProgress {
  /** Bytes of all files, or null while BITS does not know (BG_SIZE_UNKNOWN). */
  bytesTotal: number | null;
  /** Bytes transferred so far. */
  bytesTransferred: number;
  /** Files in the job. */
  filesTotal: number;
  /** Files transferred so far. */
  filesTransferred: number;
}

const BG_S_PARTIAL_COMPLETE = 0x00200017;
const BG_S_UNABLE_TO_DELETE_FILES = 0x0020001a;

/** What `complete()` achieved. */
export type CompleteResult = 'complete' | 'partial' | 'temporary-files-left';

/** One file of a job: where it comes from and where it goes. */
export interface FileSpec {
  /** http, https, file URL or UNC path. */
  remoteUrl: string;
  /** A full Windows path in an existing folder. */
  localPath: string;
}

/** IBackgroundCopyError: why a job is in the error or transient-error state. */
export interface JobError {
  /** Where the error happened. */
  context: ErrorContext;
  /** The HRESULT, unsigned. */
  hresult: number;
  /** Symbolic name of `hresult`, e.g. `'BG_E_HTTP_ERROR_404'`. */
  code: string;
  /** BITS's description, else the system's, else a built-in one. */
  message: string;
  /** BITS's description of the context (null on Wine). */
  contextDescription: string | null;
  /** The transfer's protocol, e.g. 'http'. */
  protocol: string | null;
  /** The file involved, where BITS names one. */
  file?: BitsErrorFile;
}

/** BG_JOB_TIMES; null where BITS says "not yet". */
export interface JobTimes {
  /** When the job was created. */
  creationTime: Date | null;
  /** When it last changed. */
  modificationTime: Date | null;
  /** When its last file was transferred; null until then. */
  transferCompletionTime: Date | null;
}

/** BG_JOB_PROXY_USAGE with its lists. */
export interface ProxySettings {
  /** 'preconfig' (the system's), 'no-proxy', 'override' (the lists below) or 'autodetect'. */
  usage: ProxyUsage;
  /** Space-delimited proxies, for 'override'. */
  proxyList: string | null;
  /** Space-delimited hosts that skip the proxy; `<local>` for all local hosts. */
  bypassList: string | null;
}

/** A user name and password for a server or proxy (BG_AUTH_CREDENTIALS). */
export interface Credentials {
  /** 'server' (default) or 'proxy'. */
  target?: AuthTarget;
  /** 'basic' (default), 'digest', 'ntlm', 'negotiate' or 'passport'. */
  scheme?: AuthScheme;
  /** The user name; null for the logged-on user (NTLM, Negotiate). */
  userName: string | null;
  /** The password; wiped from native memory after the call. */
  password: string | null;
}

/** The client certificate of a job (IBackgroundCopyJobHttpOptions::GetClientCertificate). */
export interface ClientCertificate {
  /** Which certificate store. */
  storeLocation: CertStoreLocation;
  /** The store's name, e.g. 'MY'. */
  storeName: string | null;
  /** The certificate's SHA-1 hash. */
  hash: Buffer | null;
  /** The certificate's subject. */
  subjectName: string | null;
}

/** A job's state with its progress. */
export interface JobSnapshot {
  /** The state. */
  state: JobState;
  /** The progress at that moment. */
  progress: JobProgress;
}

/** A file BITS finished, as its callbacks name it. */
export interface TransferredFile {
  /** The URL. */
  remoteName: string;
  /** The local path. */
  localName: string;
}

/** Ranges of a file that arrived (IBackgroundCopyCallback3). */
export interface TransferredRanges extends TransferredFile {
  /** The ranges. */
  ranges: FileRange[];
}

/** The program BITS starts when a job is transferred or fails (IBackgroundCopyJob2). */
export interface NotifyCmdLine {
  /** The program's full path, or null for none. */
  program: string | null;
  /** Its command line, or null. */
  parameters: string | null;
}

/** BG_JOB_REPLY_PROGRESS: how much of the server's reply to an upload-reply job arrived. */
export interface ReplyProgress {
  /** The reply's size, or null while unknown. */
  bytesTotal: number | null;
  /** Bytes of the reply received. */
  bytesTransferred: number;
}

/** The events of a job; see `BackgroundCopyJob`. */
export interface JobEventMap {
  /** Any change of state, seen by a callback or by the poller, once each. */
  state: [state: JobState, previous: JobState];
  /** Every file is transferred: call complete() to keep them. */
  transferred: [progress: JobProgress];
  /** The job went to 'error'; the BitsError carries BITS's error for it. */
  error: [error: BitsError];
  /** The job changed: its state or its progress. */
  modification: [snapshot: JobSnapshot];
  /** A file finished (callbacks only: BITS 3.0 and later; Wine never sends it). */
  'file-transferred': [file: TransferredFile];
  /** Ranges of a file arrived (IBackgroundCopyCallback3, BITS 10.1, jobs using requestFileRanges). */
  'file-ranges-transferred': [file: TransferredRanges];
  /** Bytes or files moved on. */
  progress: [progress: JobProgress];
  /** EventEmitter's own. */
  newListener: [eventName: string | symbol, listener: unknown];
  /** EventEmitter's own. */
  removeListener: [eventName: string | symbol, listener: unknown];
}

const WATCHED_EVENTS = new Set<string>(['state', 'transferred', 'error', 'modification', 'file-transferred', 'file-ranges-transferred', 'progress']);

/** Options of `waitForTransfer()`. */
export interface WaitOptions {
  /** Aborts the wait (AbortError); the job carries on. */
  signal?: AbortSignal;
  /** How often to ask BITS for the state while no callback arrives (default 500). */
  pollIntervalMs?: number;
  /** Give up (TimeoutError) after this long; the job carries on. */
  timeoutMs?: number;
  /** Called with each progress snapshot the wait reads. */
  onProgress?: (progress: JobProgress) => void;
}

let job4Class: typeof BackgroundCopyJob4 | undefined;

const BITS_MC_JOB_CANCELLED = 0x80194000;
const BG_E_NO_PROGRESS = 0x80200024;
const DEFAULT_NO_PROGRESS_TIMEOUT_S = 14 * 24 * 3600;

/**
 * A BITS transfer job (IBackgroundCopyJob, and the newer job interfaces through
 * QueryInterface). Get one from `BackgroundCopyManager.createJob`, `getJob` or
 * `listJobs`; it holds a reference to the job in the BITS service until `close()`
 * or garbage collection.
 *
 * Events: while anyone listens, the job registers our IBackgroundCopyCallback2
 * with BITS and also polls every `pollIntervalMs`, because callbacks can go
 * missing (Wine never sends JobError; a service restart forgets the callback).
 * Each change reaches the listeners once, whichever path saw it first.
 */
export class BackgroundCopyJob extends EventEmitter<JobEventMap> {
  /** The job GUID: `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`, upper case, as bitsadmin prints it. */
  readonly id: string;
  /** How often the event poller asks BITS while listeners are attached. */
  pollIntervalMs = 2000;
  readonly #handle: NativeHandle<NativeJob>;
  #job4: BackgroundCopyJob4 | undefined;
  #watching = false;
  #timer: NodeJS.Timeout | undefined;
  #lastState: JobState | undefined;
  #lastProgress: JobProgress | undefined;

  /** Not for application code: jobs come from BackgroundCopyManager. */
  constructor(handle: NativeJob) {
    super();
    this.#handle = new NativeHandle(handle, `Job ${handle.id}`);
    this.id = handle.id;
    this.on('newListener', (event) => {
      if (typeof event === 'string' && WATCHED_EVENTS.has(event) && !this.#watching && !this.#handle.closed) this.#startWatching();
    });
    this.on('removeListener', (event) => {
      if (typeof event === 'string' && WATCHED_EVENTS.has(event) && this.#watching && ![...WATCHED_EVENTS].some((e) => this.listenerCount(e) > 0)) {
        this.#stopWatching();
      }
    });
  }

  #startWatching(): void {
    this.#watching = true;
    watch(this.id, this);
    // Callbacks are a speed-up, not a requirement: the poller runs either way.
    this.#handle.raw.subscribe().catch(() => undefined);
    void this.#poll(true);
  }

  #stopWatching(): void {
    this.#watching = false;
    clearTimeout(this.#timer);
    unwatch(this.id, this);
    this.#lastState = undefined;
    this.#lastProgress = undefined;
    if (!this.#handle.closed) this.#handle.raw.unsubscribe().catch(() => undefined);
  }

  async #poll(first = false): Promise<void> {
    if (!this.#watching) return;
    try {
      const state = await this.getState();
      const progress = await this.getProgress();
      if (first) {
        this.#lastState ??= state;
        this.#lastProgress ??= progress;
      } else this.#observe(state, progress);
    } catch {
      // The next poll tries again; a closed or gone job stops being watched.
      if (this.#handle.closed) return;
    }
    // #watching may have changed while the calls above were in flight.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    if (this.#watching) this.#timer = setTimeout(() => void this.#poll(), this.pollIntervalMs);
  }

  /** @internal From the addon's callback, through lib/events.ts. */
  onNativeEvent(e: NativeJobEvent): void {
    if (!this.#watching) return;
    if (e.kind === 'file-transferred') {
      this.emit('file-transferred', { remoteName: e.remoteName ?? '', localName: e.localName ?? '' });
      return;
    }
    if (e.kind === 'file-ranges-transferred') {
      this.emit('file-ranges-transferred', { remoteName: e.remoteName ?? '', localName: e.localName ?? '', ranges: e.ranges ?? [] });
      return;
    }
    const state = e.state >= 0 ? enumName(JOB_STATES, e.state, 'job state') : this.#lastState;
    if (state) this.#observe(state, e.progress ?? this.#lastProgress);
  }

  #observe(state: JobState, progress: JobProgress | undefined): void {
    const previous = this.#lastState;
    const stateChanged = previous !== undefined && state !== previous;
    const last = this.#lastProgress;
    const progressChanged =
      progress !== undefined &&
      (last === undefined || progress.bytesTransferred !== last.bytesTransferred || progress.filesTransferred !== last.filesTransferred || progress.bytesTotal !== last.bytesTotal);
    this.#lastState = state;
    if (progress) this.#lastProgress = progress;
    const snapshot = progress ?? last ?? { bytesTotal: null, bytesTransferred: 0, filesTotal: 0, filesTransferred: 0 };
    if (progressChanged) this.emit('progress', snapshot);
    if (stateChanged) {
      this.emit('state', state, previous);
      if (state === 'transferred') this.emit('transferred', snapshot);
      if (state === 'error') void this.#emitError();
    }
    if (stateChanged || progressChanged) this.emit('modification', { state, progress: snapshot });
  }

  async #emitError(): Promise<void> {
    let error: BitsError;
    try {
      const e = await this.getError();
      error = e ? jobErrorToBitsError(this.id, e) : new BitsError({ hresult: 0x8020000f, method: 'IBackgroundCopyJob::GetError', jobId: this.id });
    } catch (e) {
      if (!(e instanceof BitsError)) return;
      error = e;
    }
    // An 'error' event without a listener would throw: only emit to someone.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** @internal Runs a binding call, refusing after close() and mapping failures. */
  protected call<T>(fn: (job: NativeJob) => Promise<T>): Promise<T> {
    return this.#handle.call(fn);
  }

  /** IBackgroundCopyJob::GetDisplayName */
  getDisplayName(): Promise<string> {
    return this.call((j) => j.getDisplayName());
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

  /** IBackgroundCopyJob::AddFile. The local folder must exist; the file appears there after `complete()`. */
  async addFile(remoteUrl: string, localPath: string): Promise<void> {
    const remote = requireRemoteName('remoteUrl', remoteUrl);
    const local = requireLocalName('localPath', localPath);
    return this.call((j) => j.addFile(remote, local));
  }

  /** IBackgroundCopyJob::AddFileSet: several files in one call (and one round trip). */
  async addFiles(files: readonly FileSpec[]): Promise<void> {
    if (!Array.isArray(files)) throw new TypeError('files must be an array of { remoteUrl, localPath }');
    if (files.length === 0) throw new RangeError('files must not be empty');
    const set = files.map((f: unknown, i) => {
      if (typeof f !== 'object' || f === null) throw new TypeError(`files[${i}] must be an object { remoteUrl, localPath }`);
      const spec = f as Partial<FileSpec>;
      return {
        remoteName: requireRemoteName(`files[${i}].remoteUrl`, spec.remoteUrl),
        localName: requireLocalName(`files[${i}].localPath`, spec.localPath),
      };
    });
    return this.call((j) => j.addFileSet(set));
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
   * and TimeoutError after `timeoutMs`, leaving the job as it is.
   */
  async waitForTransfer(options: WaitOptions = {}): Promise<JobProgress> {
    const o = waitOptions(options);
    const signal = o.signal;
    if (signal?.aborted) throw withJob(new AbortError(undefined, { cause: signal.reason }), this.id);
    let transientSince: number | undefined;
    let noProgressMs: number | undefined;
    return new Promise<JobProgress>((resolve, reject) => {
      let done = false;
      let ticking = false;
      let timer: NodeJS.Timeout | undefined;
      // The deadline has its own timer: a long poll interval must not stretch it.
      const deadline =
        o.timeoutMs === undefined
          ? undefined
          : setTimeout(() => finish(() => reject(withJob(new TimeoutError(`job ${this.id} was not transferred within ${o.timeoutMs} ms`), this.id))), o.timeoutMs);
      const finish = (settle: () => void): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearTimeout(deadline);
        this.off('state', wake);
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = (): void => finish(() => reject(withJob(new AbortError(undefined, { cause: signal?.reason }), this.id)));
      const tick = async (): Promise<void> => {
        if (done || ticking) return;
        ticking = true;
        try {
          const state = await this.getState();
          const progress = await this.getProgress();
          // An abort may have settled the wait while the calls were in flight.
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
          if (done) return;
          o.onProgress?.(progress);
          const now = Date.now();
          if (state === 'transferred' || state === 'acknowledged') return finish(() => resolve(progress));
          if (state === 'error') {
            const e = await this.getError();
            const error = e ? jobErrorToBitsError(this.id, e) : new BitsError({ hresult: 0x8020000f, method: 'IBackgroundCopyJob::GetError', jobId: this.id });
            return finish(() => reject(error));
          }
          if (state === 'cancelled') {
            return finish(() => reject(new BitsError({ hresult: BITS_MC_JOB_CANCELLED, method: 'IBackgroundCopyJob::GetState', description: 'The job was cancelled', jobId: this.id })));
          }
          if (state === 'transient-error') {
            transientSince ??= now;
            noProgressMs ??= (await this.getNoProgressTimeout().catch(() => DEFAULT_NO_PROGRESS_TIMEOUT_S)) * 1000;
            if (now - transientSince >= noProgressMs) {
              const e = await this.getError();
              const error = e ? jobErrorToBitsError(this.id, e) : new BitsError({ hresult: BG_E_NO_PROGRESS, method: 'IBackgroundCopyJob::GetState', jobId: this.id });
              return finish(() => reject(error));
            }
          } else transientSince = undefined;
        } catch (e) {
          finish(() => reject(e instanceof Error ? e : new Error(String(e))));
        } finally {
          ticking = false;
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by finish() above
          if (!done) timer = setTimeout(() => void tick(), o.pollIntervalMs);
        }
      };
      // A callback wakes the wait at once; the timer covers callbacks that never come.
      const wake = (): void => {
        clearTimeout(timer);
        void tick();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.on('state', wake);
      void tick();
    });
  }

  /** Progress snapshots every `intervalMs` (default 1000) until the job reaches a final state. */
  async *progress(options: { intervalMs?: number; signal?: AbortSignal } = {}): AsyncGenerator<JobProgress & Pick<JobSnapshot, 'state'>, void, undefined> {
    const intervalMs = options.intervalMs === undefined ? 1000 : requireUint32('intervalMs', options.intervalMs);
    for (;;) {
      if (options.signal?.aborted) throw withJob(new AbortError(undefined, { cause: options.signal.reason }), this.id);
      const state = await this.getState();
      const progress = await this.getProgress();
      yield { ...progress, state };
      if (FINAL_STATES.has(state)) return;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  /** IBackgroundCopyJob::SetDisplayName */
  async setDisplayName(name: string): Promise<void> {
    const n = requireString('name', name, { maxLength: MAX_DISPLAY_NAME });
    return this.call((j) => j.setDisplayName(n));
  }
  /** IBackgroundCopyJob::GetDescription */
  getDescription(): Promise<string> {
    return this.call((j) => j.getDescription());
  }
  /** IBackgroundCopyJob::SetDescription (at most 1024 characters) */
  async setDescription(text: string): Promise<void> {
    const t = requireString('text', text, { maxLength: MAX_DESCRIPTION, allowEmpty: true });
    return this.call((j) => j.setDescription(t));
  }
  /** IBackgroundCopyJob::GetPriority */
  async getPriority(): Promise<JobPriority> {
    return enumName(JOB_PRIORITIES, await this.call((j) => j.getPriority()), 'priority');
  }
  /** IBackgroundCopyJob::SetPriority: 'foreground' transfers at once, the others in the background. */
  async setPriority(priority: JobPriority): Promise<void> {
    const p = JOB_PRIORITIES.indexOf(requireOneOf('priority', priority, JOB_PRIORITIES));
    return this.call((j) => j.setPriority(p));
  }
  /** IBackgroundCopyJob::GetNotifyFlags (BG_NOTIFY bits) */
  getNotifyFlags(): Promise<number> {
    return this.call((j) => j.getNotifyFlags());
  }
  /** IBackgroundCopyJob::SetNotifyFlags (BG_NOTIFY bits). Listening to events sets them while it lasts. */
  async setNotifyFlags(flags: number): Promise<void> {
    const f = requireUint32('flags', flags, 0x3f);
    return this.call((j) => j.setNotifyFlags(f));
  }
  /** IBackgroundCopyJob::GetMinimumRetryDelay, in seconds */
  getMinimumRetryDelay(): Promise<number> {
    return this.call((j) => j.getMinimumRetryDelay());
  }
  /** IBackgroundCopyJob::SetMinimumRetryDelay, in seconds (BITS's default is 600) */
  async setMinimumRetryDelay(seconds: number): Promise<void> {
    const s = requireUint32('seconds', seconds);
    return this.call((j) => j.setMinimumRetryDelay(s));
  }
  /** IBackgroundCopyJob::GetNoProgressTimeout, in seconds */
  getNoProgressTimeout(): Promise<number> {
    return this.call((j) => j.getNoProgressTimeout());
  }
  /** IBackgroundCopyJob::SetNoProgressTimeout, in seconds (BITS's default is 14 days) */
  async setNoProgressTimeout(seconds: number): Promise<void> {
    const s = requireUint32('seconds', seconds);
    return this.call((j) => j.setNoProgressTimeout(s));
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
  /** IBackgroundCopyJob::EnumFiles */
  async listFiles(): Promise<BackgroundCopyFile[]> {
    return (await this.call((j) => j.enumFiles())).map((f) => new BackgroundCopyFile(f));
  }
  /** IBackgroundCopyJob::GetProxySettings */
  async getProxySettings(): Promise<ProxySettings> {
    const p = await this.call((j) => j.getProxySettings());
    return { usage: enumName(PROXY_USAGES, p.usage, 'proxy usage'), proxyList: p.proxyList || null, bypassList: p.bypassList || null };
  }
  /** IBackgroundCopyJob::SetProxySettings. The lists apply to 'override' only. */
  async setProxySettings(settings: ProxySettings): Promise<void> {
    if (typeof settings !== 'object' || (settings as unknown) === null) throw new TypeError('settings must be an object');
    const usage = PROXY_USAGES.indexOf(requireOneOf('settings.usage', settings.usage, PROXY_USAGES));
    const list = settings.proxyList == null ? null : requireString('settings.proxyList', settings.proxyList, { maxLength: 32767 });
    const bypass = settings.bypassList == null ? null : requireString('settings.bypassList', settings.bypassList, { maxLength: 32767 });
    if (settings.usage === 'override' && !list) throw new RangeError("settings.proxyList is required for 'override'");
    return this.call((j) => j.setProxySettings(usage, list, bypass));
  }
  /** IBackgroundCopyJob2::GetNotifyCmdLine */
  getNotifyCmdLine(): Promise<NotifyCmdLine> {
    return this.call((j) => j.getNotifyCmdLine());
  }
  /** IBackgroundCopyJob2::SetNotifyCmdLine: a program BITS starts on transfer or error (null clears it). */
  async setNotifyCmdLine(program: string | null, parameters: string | null = null): Promise<void> {
    const p = program === null ? null : requireString('program', program, { maxLength: 32767 });
    const a = parameters === null ? null : requireString('parameters', parameters, { maxLength: 32767, allowEmpty: true });
    return this.call((j) => j.setNotifyCmdLine(p, a));
  }
  /** IBackgroundCopyJob2::GetReplyProgress (upload-reply jobs) */
  getReplyProgress(): Promise<ReplyProgress> {
    return this.call((j) => j.getReplyProgress());
  }
  /** IBackgroundCopyJob2::GetReplyData: the server's reply to an upload-reply job */
  getReplyData(): Promise<Buffer> {
    return this.call((j) => j.getReplyData());
  }
  /** IBackgroundCopyJob2::GetReplyFileName; null before one is set or chosen. */
  getReplyFileName(): Promise<string | null> {
    return this.call((j) => j.getReplyFileName());
  }
  /** IBackgroundCopyJob2::SetReplyFileName */
  async setReplyFileName(path: string): Promise<void> {
    const p = requireLocalName('path', path);
    return this.call((j) => j.setReplyFileName(p));
  }
  /**
   * IBackgroundCopyJob2::SetCredentials. The strings are copied into native
   * memory that is wiped after the call; they never appear in errors or inspect output.
   */
  async setCredentials(credentials: Credentials): Promise<void> {
    if (typeof credentials !== 'object' || (credentials as unknown) === null) throw new TypeError('credentials must be an object');
    const target = AUTH_TARGETS.indexOf(requireOneOf('credentials.target', credentials.target ?? 'server', AUTH_TARGETS)) + 1;
    const scheme = AUTH_SCHEMES.indexOf(requireOneOf('credentials.scheme', credentials.scheme ?? 'basic', AUTH_SCHEMES)) + 1;
    const user = credentials.userName === null ? null : requireString('credentials.userName', credentials.userName, { maxLength: 300, allowEmpty: true });
    // The password's value never goes into a message: only its type and length are checked.
    const password = credentials.password;
    if (password !== null && typeof password !== 'string') throw new TypeError('credentials.password must be a string or null');
    if (password !== null && (password.length > 65536 || password.includes('\0'))) throw new RangeError('credentials.password is too long or contains NUL');
    return this.call((j) => j.setCredentials(target, scheme, user, password));
  }
  /** IBackgroundCopyJob2::RemoveCredentials */
  async removeCredentials(target: AuthTarget, scheme: AuthScheme): Promise<void> {
    const t = AUTH_TARGETS.indexOf(requireOneOf('target', target, AUTH_TARGETS)) + 1;
    const s = AUTH_SCHEMES.indexOf(requireOneOf('scheme', scheme, AUTH_SCHEMES)) + 1;
    return this.call((j) => j.removeCredentials(t, s));
  }
  /** IBackgroundCopyJob3::ReplaceRemotePrefix: move every file to another server. */
  async replaceRemotePrefix(oldPrefix: string, newPrefix: string): Promise<void> {
    const a = requireString('oldPrefix', oldPrefix, { maxLength: 2200 });
    const b = requireString('newPrefix', newPrefix, { maxLength: 2200 });
    return this.call((j) => j.replaceRemotePrefix(a, b));
  }
  /** IBackgroundCopyJob3::AddFileWithRanges: only these byte ranges of the remote file. */
  async addFileWithRanges(remoteUrl: string, localPath: string, ranges: readonly FileRange[]): Promise<void> {
    const remote = requireRemoteName('remoteUrl', remoteUrl);
    const local = requireLocalName('localPath', localPath);
    const rs = checkRanges(ranges);
    return this.call((j) => j.addFileWithRanges(remote, local, rs));
  }
  /** IBackgroundCopyJob3::GetFileACLFlags (BG_COPY_FILE_* bits) */
  getFileACLFlags(): Promise<number> {
    return this.call((j) => j.getFileACLFlags());
  }
  /** IBackgroundCopyJob3::SetFileACLFlags (BG_COPY_FILE_OWNER 1 | GROUP 2 | DACL 4 | SACL 8) */
  async setFileACLFlags(flags: number): Promise<void> {
    const f = requireUint32('flags', flags, 15);
    return this.call((j) => j.setFileACLFlags(f));
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_DYNAMIC_CONTENT: download without a known size or range support. */
  async setDynamicContent(enabled: boolean): Promise<void> {
    const v = requireBoolean('enabled', enabled);
    return this.call((j) => j.setProperty(BITS_JOB_PROPERTY.DYNAMIC_CONTENT, v));
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_DYNAMIC_CONTENT */
  async getDynamicContent(): Promise<boolean> {
    return (await this.call((j) => j.getProperty(BITS_JOB_PROPERTY.DYNAMIC_CONTENT))) === true;
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_HIGH_PERFORMANCE */
  async setHighPerformance(enabled: boolean): Promise<void> {
    const v = requireBoolean('enabled', enabled);
    return this.call((j) => j.setProperty(BITS_JOB_PROPERTY.HIGH_PERFORMANCE, v));
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_HIGH_PERFORMANCE */
  async getHighPerformance(): Promise<boolean> {
    return (await this.call((j) => j.getProperty(BITS_JOB_PROPERTY.HIGH_PERFORMANCE))) === true;
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, in bytes (0: no limit) */
  async setMaxDownloadSize(bytes: number): Promise<void> {
    const v = requireUint32('bytes', bytes, Number.MAX_SAFE_INTEGER);
    return this.call((j) => j.setProperty(BITS_JOB_PROPERTY.MAX_DOWNLOAD_SIZE, v));
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, in bytes */
  async getMaxDownloadSize(): Promise<number> {
    return Number(await this.call((j) => j.getProperty(BITS_JOB_PROPERTY.MAX_DOWNLOAD_SIZE)));
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_ON_DEMAND_MODE (BITS 10.1) */
  async setOnDemandMode(enabled: boolean): Promise<void> {
    const v = requireBoolean('enabled', enabled);
    return this.call((j) => j.setProperty(BITS_JOB_PROPERTY.ON_DEMAND_MODE, v));
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_ON_DEMAND_MODE */
  async getOnDemandMode(): Promise<boolean> {
    return (await this.call((j) => j.getProperty(BITS_JOB_PROPERTY.ON_DEMAND_MODE))) === true;
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_ID_COST_FLAGS (BITS_COST_STATE_* bits or a BITS_COST_* policy) */
  async setCostFlags(flags: number): Promise<void> {
    const v = requireUint32('flags', flags);
    return this.call((j) => j.setProperty(BITS_JOB_PROPERTY.COST_FLAGS, v));
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_ID_COST_FLAGS */
  async getCostFlags(): Promise<number> {
    return Number(await this.call((j) => j.getProperty(BITS_JOB_PROPERTY.COST_FLAGS)));
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_NOTIFICATION_CLSID: a COM class BITS activates to notify */
  async setNotificationClsid(clsid: string): Promise<void> {
    const v = requireGuid('clsid', clsid);
    return this.call((j) => j.setProperty(BITS_JOB_PROPERTY.NOTIFICATION_CLSID, v));
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_NOTIFICATION_CLSID */
  async getNotificationClsid(): Promise<string> {
    return String(await this.call((j) => j.getProperty(BITS_JOB_PROPERTY.NOTIFICATION_CLSID)));
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS (BITS 10.1) */
  async setMinimumNotificationInterval(ms: number): Promise<void> {
    const v = requireUint32('ms', ms);
    return this.call((j) => j.setProperty(BITS_JOB_PROPERTY.MINIMUM_NOTIFICATION_INTERVAL_MS, v));
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS */
  async getMinimumNotificationInterval(): Promise<number> {
    return Number(await this.call((j) => j.getProperty(BITS_JOB_PROPERTY.MINIMUM_NOTIFICATION_INTERVAL_MS)));
  }
  /** IBackgroundCopyJob5 BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS: use Windows' stored credentials for this target */
  async setUseStoredCredentials(target: AuthTarget | 'none'): Promise<void> {
    const t = target === 'none' ? 0 : AUTH_TARGETS.indexOf(requireOneOf('target', target, AUTH_TARGETS)) + 1;
    return this.call((j) => j.setProperty(BITS_JOB_PROPERTY.USE_STORED_CREDENTIALS, t));
  }
  /** IBackgroundCopyJobHttpOptions::GetCustomHeaders, parsed into lines */
  async getCustomHeaders(): Promise<string[]> {
    const text = await this.call((j) => j.getCustomHeaders());
    return (text ?? '').split('\r\n').filter((l) => l.length > 0);
  }
  /** IBackgroundCopyJobHttpOptions::SetCustomHeaders: `{ name: value }` or `'Name: value'` lines; empty clears. */
  async setCustomHeaders(headers: Readonly<Record<string, string>> | readonly string[]): Promise<void> {
    const text = headerText(headers);
    return this.call((j) => j.setCustomHeaders(text));
  }
  /** IBackgroundCopyJobHttpOptions::GetSecurityFlags (BG_SSL bits) */
  getSecurityFlags(): Promise<number> {
    return this.call((j) => j.getSecurityFlags());
  }
  /** IBackgroundCopyJobHttpOptions::SetSecurityFlags (BG_SSL bits) */
  async setSecurityFlags(flags: number): Promise<void> {
    const f = requireUint32('flags', flags, 0xfff);
    return this.call((j) => j.setSecurityFlags(f));
  }
  /** IBackgroundCopyJobHttpOptions::SetClientCertificateByID: a certificate by its SHA-1 hash */
  async setClientCertificateByHash(storeLocation: CertStoreLocation, storeName: string, sha1: Buffer): Promise<void> {
    const l = CERT_STORE_LOCATIONS.indexOf(requireOneOf('storeLocation', storeLocation, CERT_STORE_LOCATIONS));
    const s = requireString('storeName', storeName, { maxLength: 256 });
    if (!Buffer.isBuffer(sha1)) throw new TypeError('sha1 must be a Buffer');
    if (sha1.length !== 20) throw new RangeError('sha1 must be 20 bytes');
    return this.call((j) => j.setClientCertificateByID(l, s, sha1));
  }
  /** IBackgroundCopyJobHttpOptions::SetClientCertificateByName: a certificate by its subject name */
  async setClientCertificateByName(storeLocation: CertStoreLocation, storeName: string, subjectName: string): Promise<void> {
    const l = CERT_STORE_LOCATIONS.indexOf(requireOneOf('storeLocation', storeLocation, CERT_STORE_LOCATIONS));
    const s = requireString('storeName', storeName, { maxLength: 256 });
    const n = requireString('subjectName', subjectName, { maxLength: 1024 });
    return this.call((j) => j.setClientCertificateByName(l, s, n));
  }
  /** IBackgroundCopyJobHttpOptions::RemoveClientCertificate */
  async removeClientCertificate(): Promise<void> {
    await this.call((j) => j.removeClientCertificate());
  }
  /** IBackgroundCopyJobHttpOptions::GetClientCertificate; null when the job has none. */
  async getClientCertificate(): Promise<ClientCertificate | null> {
    const c = await this.call((j) => j.getClientCertificate());
    if (!c) return null;
    return { ...c, storeLocation: enumName(CERT_STORE_LOCATIONS, c.storeLocation, 'store location') };
  }
  /** IBackgroundCopyJobHttpOptions2::GetHttpMethod (Windows 10 1809) */
  getHttpMethod(): Promise<string> {
    return this.call((j) => j.getHttpMethod());
  }
  /** IBackgroundCopyJobHttpOptions2::SetHttpMethod, e.g. 'POST' (Windows 10 1809) */
  async setHttpMethod(method: string): Promise<void> {
    const m = requireString('method', method, { maxLength: 64 });
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(m)) throw new RangeError('method must be an HTTP token such as POST');
    return this.call((j) => j.setHttpMethod(m));
  }
  /** IBackgroundCopyJobHttpOptions3::MakeCustomHeadersWriteOnly: irreversible (Windows 10 1903) */
  async makeCustomHeadersWriteOnly(): Promise<void> {
    await this.call((j) => j.makeCustomHeadersWriteOnly());
  }

  /**
   * IBackgroundCopyJobHttpOptions3::SetServerCertificateValidationInterface
   * (Windows 10 1903): BITS asks `validator` about each server certificate (DER
   * bytes and their encoding type) and trusts it only on `true`. A validator that
   * throws, rejects or takes over 30 s refuses the certificate. null removes it.
   */
  async setServerCertificateValidation(validator: ((certificate: Buffer, encodingType: number) => boolean | Promise<boolean>) | null): Promise<void> {
    if (validator !== null && typeof validator !== 'function') throw new TypeError('validator must be a function or null');
    return this.call((j) => j.setServerCertificateValidation(validator));
  }

  /**
   * QueryInterface for IBackgroundCopyJob4 (BITS 3.0, Vista and later); E_NOINTERFACE where missing.
   * Every call on one job gives the same object, as COM gives the same pointer.
   */
  async queryJob4(): Promise<BackgroundCopyJob4> {
    // Once BITS said yes, the native side holds the pointer and this side the
    // wrapper: asking again costs neither a trip to the COM thread nor an object.
    if (!this.#job4) {
      await this.call((j) => j.queryInterface('IBackgroundCopyJob4'));
      // Imported here, not above: job4.ts extends this class, so a static import
      // would depend on which of the two files a program happens to load first.
      job4Class ??= (await import('./job4.js')).BackgroundCopyJob4;
      this.#job4 ??= new job4Class(this.#handle.raw);
    }
    if (this.#handle.closed) throw new ObjectClosedError(`Job ${this.id}`);
    return this.#job4;
  }

  /**
   * Releases this object's COM references now instead of at garbage collection.
   * The BITS job itself carries on; `manager.getJob(id)` gets it back. Objects
   * from `queryJob4()` share the reference and are closed with it.
   */
  close(): void {
    if (this.#handle.closed) return;
    if (this.#watching) this.#stopWatching();
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

/** @internal */
export function toJobError(e: NativeJobError): JobError {
  const out: JobError = {
    context: enumName(ERROR_CONTEXTS, e.context, 'error context'),
    hresult: e.hresult >>> 0,
    code: hresultName(e.hresult),
    message: e.description?.trim() || e.systemDescription.trim() || builtInDescription(e.hresult),
    contextDescription: e.contextDescription?.trim() || null,
    protocol: e.protocol,
  };
  if (e.file) out.file = e.file;
  return out;
}

function waitOptions(options: WaitOptions): { signal?: AbortSignal; pollIntervalMs: number; timeoutMs?: number; onProgress?: (p: JobProgress) => void } {
  if (typeof options !== 'object' || (options as unknown) === null) throw new TypeError('options must be an object');
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new TypeError('options.onProgress must be a function');
  const out: ReturnType<typeof waitOptions> = {
    pollIntervalMs: options.pollIntervalMs === undefined ? 500 : requireUint32('options.pollIntervalMs', options.pollIntervalMs, 3_600_000),
  };
  if (out.pollIntervalMs < 10) throw new RangeError('options.pollIntervalMs must be at least 10');
  if (options.signal) out.signal = options.signal;
  if (options.timeoutMs !== undefined) out.timeoutMs = requireUint32('options.timeoutMs', options.timeoutMs, Number.MAX_SAFE_INTEGER);
  if (options.onProgress) out.onProgress = options.onProgress;
  return out;
}

function withJob<T extends AbortError | TimeoutError>(e: T, jobId: string): T {
  e.jobId = jobId;
  return e;
}

/** `{ name: value }` or `['Name: value']` to BITS's CRLF-separated header text, checked for injection. */
export function headerText(headers: Readonly<Record<string, string>> | readonly string[]): string {
  if (typeof headers !== 'object' || (headers as unknown) === null) throw new TypeError('headers must be an object or an array of strings');
  const lines = Array.isArray(headers)
    ? headers.map((l: unknown, i) => requireString(`headers[${i}]`, l))
    : Object.entries(headers).map(([k, v]: [string, unknown]) => `${k}: ${requireString(`headers['${k}']`, v, { allowEmpty: true })}`);
  for (const line of lines) {
    if (/[\r\n]/.test(line)) throw new RangeError('a header must not contain CR or LF');
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/.test(line)) throw new RangeError(`'${line.slice(0, 40)}' is not a 'Name: value' header`);
  }
  const text = lines.join('\r\n');
  if (text.length > 16384) throw new RangeError('custom headers must total at most 16 KB');
  return text;
}

/** Builds the BitsError that stands for a job's error state. */
export function jobErrorToBitsError(jobId: string, e: JobError): BitsError {
  return new BitsError({
    hresult: e.hresult,
    method: 'IBackgroundCopyJob::GetError',
    description: e.message,
    context: e.context,
    contextDescription: e.contextDescription,
    protocol: e.protocol,
    file: e.file ?? null,
    jobId,
  });
}
