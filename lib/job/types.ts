// The types of a job's values and events, as the public API names them.
import type { NativeJob } from '../../binding.js';
import type { AuthScheme, AuthTarget, CertStoreLocation, JobState, ProxyUsage } from '../enums.js';
import type { BitsError } from '../errors.js';
import type { FileRange } from '../file.js';

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

/** What `complete()` achieved. */
export type CompleteResult = 'complete' | 'partial' | 'temporary-files-left';

/** One file of a job: where it comes from and where it goes. */
export interface FileSpec {
  /** http, https, file URL or UNC path. */
  remoteUrl: string;
  /** A full Windows path in an existing folder. */
  localPath: string;
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


/** What the methods of a job's tables (job2-3.ts, job4.ts, job5.ts, http-options.ts) need of the job. @internal */
export interface JobCaller {
  call<T>(fn: (job: NativeJob) => Promise<T>): Promise<T>;
}
