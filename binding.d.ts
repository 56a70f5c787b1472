// The exact shape of what the addon (native/) exports. lib/ is the only caller:
// it validates arguments, maps numbers to string unions and failures to BitsError.
// Every method that reaches BITS returns a promise settled from the COM thread.

/** How the addon rejects: lib/ turns it into a BitsError. */
export interface NativeFailure extends Error {
  /** The HRESULT, unsigned. */
  hresult: number;
  /** The COM method that failed, e.g. 'IBackgroundCopyManager::CreateJob'. */
  method: string;
  /** BITS's or the system's description; empty when neither has one. */
  message: string;
}

/** BG_JOB_PROGRESS; bytesTotal is null for BG_SIZE_UNKNOWN. */
export interface NativeProgress {
  bytesTotal: number | null;
  bytesTransferred: number;
  filesTotal: number;
  filesTransferred: number;
}

/** IBackgroundCopyError, read in one COM-thread task. */
export interface NativeJobError {
  /** BG_ERROR_CONTEXT */
  context: number;
  hresult: number;
  /** IBackgroundCopyError::GetErrorDescription, null where BITS has none (Wine). */
  description: string | null;
  /** FormatMessage's text for hresult, empty when the system has none. */
  systemDescription: string;
  contextDescription: string | null;
  protocol: string | null;
  file: { remoteName: string | null; localName: string | null } | null;
}

export type NativeJobInterface =
  | 'IBackgroundCopyJob2'
  | 'IBackgroundCopyJob3'
  | 'IBackgroundCopyJob4'
  | 'IBackgroundCopyJobHttpOptions';

export interface NativeJob {
  /** The job GUID, braced and upper case. */
  readonly id: string;
  getDisplayName(): Promise<string>;
  /** BG_JOB_TYPE */
  getType(): Promise<number>;
  /** BG_JOB_STATE */
  getState(): Promise<number>;
  getProgress(): Promise<NativeProgress>;
  addFile(remoteName: string, localName: string): Promise<void>;
  addFileSet(files: ReadonlyArray<{ remoteName: string; localName: string }>): Promise<void>;
  /** These four resolve with the method's success HRESULT (S_OK, or a BG_S_* code). */
  resume(): Promise<number>;
  suspend(): Promise<number>;
  cancel(): Promise<number>;
  complete(): Promise<number>;
  getError(): Promise<NativeJobError | null>;
  /** Resolves true, or rejects with E_NOINTERFACE; the pointer is kept for later calls. */
  queryInterface(name: NativeJobInterface): Promise<true>;
  // IBackgroundCopyJob4
  getPeerCachingFlags(): Promise<number>;
  setPeerCachingFlags(flags: number): Promise<void>;
  getOwnerIntegrityLevel(): Promise<number>;
  getOwnerElevationState(): Promise<boolean>;
  getMaximumDownloadTime(): Promise<number>;
  setMaximumDownloadTime(seconds: number): Promise<void>;
  /** Releases the COM references now (on the COM thread); later calls throw ERR_BITS_CLOSED. */
  close(): void;
}

export interface NativeManager {
  /** type: BG_JOB_TYPE */
  createJob(displayName: string, type: number): Promise<NativeJob>;
  /** id: braced GUID */
  getJob(id: string): Promise<NativeJob>;
  /** flags: 0 or BG_JOB_ENUM_ALL_USERS */
  enumJobs(flags: number): Promise<NativeJob[]>;
  getErrorDescription(hresult: number, languageId: number): Promise<string>;
  close(): void;
}

/** Test-only counters, for leak tests and benchmarks. */
export interface NativeDebugStats {
  /** COM references the addon holds right now. */
  liveComObjects: number;
  /** Promises not yet settled. */
  pendingCalls: number;
  /** GetProcessHandleCount (Wine reports 0). */
  processHandles: number;
  /** Wine's version when running under Wine, else null. */
  wine: string | null;
}

export interface NativeBinding {
  /** CoCreateInstance(CLSID_BackgroundCopyManager, CLSCTX_LOCAL_SERVER). */
  connect(): Promise<NativeManager>;
  debugStats(): NativeDebugStats;
}

declare const binding: NativeBinding;
export default binding;
