import { inspect } from 'node:util';

import type { NativeManager } from '../binding.js';
import { binding } from './binding.js';
import { BG_JOB_ENUM_ALL_USERS, JOB_TYPES } from './enums.js';
import type { JobType } from './enums.js';
import { NativeHandle } from './handle.js';
import { jobFromNative } from './job/job.js';
import type { BackgroundCopyJob } from './job/job.js';
import { MAX_DISPLAY_NAME, requireBoolean, requireGuid, requireHresult, requireOneOf, requireString, requireWholeNumber } from './validate.js';

/** Options of `listJobs()`. */
export interface ListJobsOptions {
  /** BG_JOB_ENUM_ALL_USERS: every user's jobs. Needs an elevated process (else E_ACCESSDENIED). */
  allUsers?: boolean;
}

/** Wraps a manager handle from the addon (tests drive lib/ over a scripted binding with it). @internal */
export function managerFromNative(native: NativeManager): BackgroundCopyManager {
  return NativeHandle.wrap(BackgroundCopyManager, native);
}

/**
 * A connection to the BITS service (IBackgroundCopyManager). Every call runs on
 * the addon's COM thread and never blocks the event loop.
 */
export class BackgroundCopyManager {
  readonly #handle: NativeHandle<NativeManager>;

  /** Not for application code: use `BackgroundCopyManager.connect()`. */
  private constructor() {
    this.#handle = NativeHandle.adopt<NativeManager>('a BackgroundCopyManager comes from BackgroundCopyManager.connect()');
  }

  /** Connects to the BITS service: CoCreateInstance(CLSID_BackgroundCopyManager). */
  static async connect(): Promise<BackgroundCopyManager> {
    const b = binding();
    return managerFromNative(await b.connect());
  }

  #call<T>(fn: (m: NativeManager) => Promise<T>): Promise<T> {
    return this.#handle.call(fn);
  }

  /**
   * IBackgroundCopyManager::CreateJob. The job starts suspended: add files, set
   * properties, then `resume()`. Display names need not be unique.
   */
  async createJob(displayName: string, type: JobType = 'download'): Promise<BackgroundCopyJob> {
    const name = requireString('displayName', displayName, { maxLength: MAX_DISPLAY_NAME });
    const t = JOB_TYPES.indexOf(requireOneOf('type', type, JOB_TYPES));
    return jobFromNative(await this.#call((m) => m.createJob(name, t)));
  }

  /** IBackgroundCopyManager::GetJob. Rejects with BitsError code 'BG_E_NOT_FOUND' for an unknown id. */
  async getJob(id: string): Promise<BackgroundCopyJob> {
    const guid = requireGuid('id', id);
    return jobFromNative(await this.#call((m) => m.getJob(guid)));
  }

  /** IBackgroundCopyManager::EnumJobs: this user's jobs, or every user's. */
  async listJobs(options: ListJobsOptions = {}): Promise<BackgroundCopyJob[]> {
    // Checked at run time too: JavaScript callers pass anything.
    if (typeof options !== 'object' || (options as unknown) === null || Array.isArray(options)) throw new TypeError('options must be an object');
    const allUsers = options.allUsers === undefined ? false : requireBoolean('options.allUsers', options.allUsers);
    const jobs = await this.#call((m) => m.enumJobs(allUsers ? BG_JOB_ENUM_ALL_USERS : 0));
    return jobs.map(jobFromNative);
  }

  /**
   * IBackgroundCopyManager::GetErrorDescription: BITS's text for an HRESULT in a
   * language (a LANGID; default: the user's UI language).
   */
  async getErrorDescription(hresult: number, languageId = 0): Promise<string> {
    const hr = requireHresult('hresult', hresult);
    const lang = requireWholeNumber('languageId', languageId, 0xffff);
    return this.#call((m) => m.getErrorDescription(hr, lang));
  }

  /** Releases the connection's COM reference now. Jobs already obtained stay usable. */
  close(): void {
    this.#handle.close();
  }

  /** `using` support: the same as close(). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** What `util.inspect` and console.log show: the id, never a secret. */
  [inspect.custom](): string {
    return `BackgroundCopyManager {${this.#handle.closed ? ' closed ' : ''}}`;
  }
}
