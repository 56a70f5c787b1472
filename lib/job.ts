import { inspect } from 'node:util';

import type { NativeJob, NativeJobError } from '../binding.js';
import { ERROR_CONTEXTS, JOB_STATES, JOB_TYPES, enumName } from './enums.js';
import type { ErrorContext, JobState, JobType } from './enums.js';
import { BitsError, ObjectClosedError, builtInDescription, hresultName, native } from './errors.js';
import type { BackgroundCopyJob4 } from './job4.js';
import { requireLocalName, requireRemoteName } from './validate.js';

/** BG_JOB_PROGRESS. `bytesTotal` is null while BITS does not know the size. */
export interface JobProgress {
  bytesTotal: number | null;
  bytesTransferred: number;
  filesTotal: number;
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
  context: ErrorContext;
  hresult: number;
  /** Symbolic name of `hresult`, e.g. `'BG_E_HTTP_ERROR_404'`. */
  code: string;
  /** BITS's description, else the system's, else a built-in one. */
  message: string;
  contextDescription: string | null;
  protocol: string | null;
  file?: { remoteName: string | null; localName: string | null };
}

/**
 * A BITS transfer job (IBackgroundCopyJob). Get one from
 * `BackgroundCopyManager.createJob`, `getJob` or `listJobs`; it holds a reference
 * to the job in the BITS service until `close()` or garbage collection.
 */
export class BackgroundCopyJob {
  /** The job GUID: `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`, upper case, as bitsadmin prints it. */
  readonly id: string;
  readonly #native: NativeJob;
  #closed = false;

  /** Not for application code: jobs come from BackgroundCopyManager. */
  constructor(handle: NativeJob) {
    this.#native = handle;
    this.id = handle.id;
  }

  /** @internal Runs a binding call, refusing after close() and mapping failures. */
  protected call<T>(fn: (job: NativeJob) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new ObjectClosedError(`Job ${this.id}`));
    return native(() => fn(this.#native));
  }

  /** @internal The handle, shared with the interfaces queried from this job. */
  protected get handle(): NativeJob {
    return this.#native;
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

  /** QueryInterface for IBackgroundCopyJob4 (BITS 3.0, Vista and later); E_NOINTERFACE where missing. */
  async queryJob4(): Promise<BackgroundCopyJob4> {
    await this.call((j) => j.queryInterface('IBackgroundCopyJob4'));
    // Imported here, not above: job4.ts extends this class, so a static import
    // would depend on which of the two files a program happens to load first.
    const { BackgroundCopyJob4 } = await import('./job4.js');
    return new BackgroundCopyJob4(this.#native);
  }

  /**
   * Releases this object's COM references now instead of at garbage collection.
   * The BITS job itself carries on; `manager.getJob(id)` gets it back. Objects
   * from `queryJob4()` share the reference and are closed with it.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#native.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [inspect.custom](): string {
    return `${this.constructor.name} { id: '${this.id}'${this.#closed ? ', closed' : ''} }`;
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
