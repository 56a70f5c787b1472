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

/** A job's state and progress, and its error in the error and transient-error states. */
export interface NativeJobStatus {
  /** BG_JOB_STATE */
  state: number;
  progress: NativeProgress;
  /** Null outside the error states, or where BITS cannot say (BG_E_ERROR_INFORMATION_UNAVAILABLE). */
  error: NativeJobError | null;
}

export type NativeJobInterface =
  | 'IBackgroundCopyJob2'
  | 'IBackgroundCopyJob3'
  | 'IBackgroundCopyJob4'
  | 'IBackgroundCopyJob5'
  | 'IBackgroundCopyJobHttpOptions'
  | 'IBackgroundCopyJobHttpOptions2'
  | 'IBackgroundCopyJobHttpOptions3';

export interface NativeJob {
  /** The job GUID, braced and upper case. */
  readonly id: string;
  getDisplayName(): Promise<string>;
  /** BG_JOB_TYPE */
  getType(): Promise<number>;
  /** BG_JOB_STATE */
  getState(): Promise<number>;
  getProgress(): Promise<NativeProgress>;
  /** GetState, GetProgress and, in the error states, GetError: one task on the COM pool. */
  getStatus(): Promise<NativeJobStatus>;
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
  setDisplayName(name: string): Promise<void>;
  getDescription(): Promise<string>;
  setDescription(text: string): Promise<void>;
  /** BG_JOB_PRIORITY */
  getPriority(): Promise<number>;
  setPriority(priority: number): Promise<void>;
  getNotifyFlags(): Promise<number>;
  setNotifyFlags(flags: number): Promise<void>;
  getMinimumRetryDelay(): Promise<number>;
  setMinimumRetryDelay(seconds: number): Promise<void>;
  getNoProgressTimeout(): Promise<number>;
  setNoProgressTimeout(seconds: number): Promise<void>;
  getErrorCount(): Promise<number>;
  getOwner(): Promise<string>;
  /** Milliseconds since 1970; null for "never". */
  getTimes(): Promise<{ creationTime: number | null; modificationTime: number | null; transferCompletionTime: number | null }>;
  takeOwnership(): Promise<number>;
  enumFiles(): Promise<NativeFile[]>;
  /** usage: BG_JOB_PROXY_USAGE */
  getProxySettings(): Promise<{ usage: number; proxyList: string | null; bypassList: string | null }>;
  setProxySettings(usage: number, proxyList: string | null, bypassList: string | null): Promise<void>;
  /** SetNotifyInterface(our callback) and notify flags for every event; undone by unsubscribe or release. */
  subscribe(): Promise<void>;
  unsubscribe(): Promise<void>;
  // IBackgroundCopyJob2
  getNotifyCmdLine(): Promise<{ program: string | null; parameters: string | null }>;
  setNotifyCmdLine(program: string | null, parameters: string | null): Promise<void>;
  getReplyProgress(): Promise<{ bytesTotal: number | null; bytesTransferred: number }>;
  getReplyData(): Promise<Buffer>;
  /** null before one is set. */
  getReplyFileName(): Promise<string | null>;
  setReplyFileName(name: string): Promise<void>;
  /** target: BG_AUTH_TARGET, scheme: BG_AUTH_SCHEME. The strings are wiped in native memory after the call. */
  setCredentials(target: number, scheme: number, userName: string | null, password: string | null): Promise<void>;
  removeCredentials(target: number, scheme: number): Promise<void>;
  // IBackgroundCopyJob3
  replaceRemotePrefix(oldPrefix: string, newPrefix: string): Promise<void>;
  /** length null: BG_LENGTH_TO_EOF */
  addFileWithRanges(remoteName: string, localName: string, ranges: ReadonlyArray<{ offset: number; length: number | null }>): Promise<void>;
  getFileACLFlags(): Promise<number>;
  setFileACLFlags(flags: number): Promise<void>;
  // IBackgroundCopyJob5; id: BITS_JOB_PROPERTY_ID
  getProperty(id: number): Promise<number | boolean | string>;
  setProperty(id: number, value: number | boolean | string): Promise<void>;
  // IBackgroundCopyJobHttpOptions, 2, 3
  /** null when none are set (S_FALSE and NULL). */
  getCustomHeaders(): Promise<string | null>;
  setCustomHeaders(headers: string): Promise<void>;
  getSecurityFlags(): Promise<number>;
  setSecurityFlags(flags: number): Promise<void>;
  /** location: BG_CERT_STORE_LOCATION; hash: 20-byte SHA-1 */
  setClientCertificateByID(location: number, storeName: string, hash: Buffer): Promise<void>;
  setClientCertificateByName(location: number, storeName: string, subjectName: string): Promise<void>;
  removeClientCertificate(): Promise<number>;
  /** null when the job has none (BITS answers RPC_X_BAD_STUB_DATA). */
  getClientCertificate(): Promise<{ storeLocation: number; storeName: string | null; hash: Buffer | null; subjectName: string | null } | null>;
  getHttpMethod(): Promise<string>;
  setHttpMethod(method: string): Promise<void>;
  makeCustomHeadersWriteOnly(): Promise<number>;
  /** IBackgroundCopyJobHttpOptions3::SetServerCertificateValidationInterface; null removes it. */
  setServerCertificateValidation(validator: ((certificate: Buffer, encodingType: number) => boolean | Promise<boolean>) | null): Promise<void>;
  /** Releases the COM references now (on the COM thread); later calls throw ERR_BITS_CLOSED. */
  close(): void;
}

/** IBackgroundCopyFile, with File2 and File3 through QueryInterface. */
export interface NativeFile {
  getRemoteName(): Promise<string>;
  getLocalName(): Promise<string>;
  getProgress(): Promise<{ bytesTotal: number | null; bytesTransferred: number; completed: boolean }>;
  setRemoteName(url: string): Promise<void>;
  getFileRanges(): Promise<Array<{ offset: number; length: number | null }>>;
  /** null before BITS chose one. */
  getTemporaryName(): Promise<string | null>;
  getValidationState(): Promise<boolean>;
  setValidationState(valid: boolean): Promise<void>;
  isDownloadedFromPeer(): Promise<boolean>;
  /** IBackgroundCopyFile4 */
  getPeerDownloadStats(): Promise<{ fromOrigin: number; fromPeers: number }>;
  /** IBackgroundCopyFile5 BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS */
  getResponseHeaders(): Promise<string | null>;
  /** IBackgroundCopyFile6 */
  updateDownloadPosition(offset: number): Promise<void>;
  requestFileRanges(ranges: ReadonlyArray<{ offset: number; length: number | null }>): Promise<void>;
  getFilledFileRanges(): Promise<Array<{ offset: number; length: number | null }>>;
  close(): void;
}

/** What our IBackgroundCopyCallback2 saw, delivered on the JS thread. */
export interface NativeJobEvent {
  jobId: string;
  kind: 'transferred' | 'error' | 'modification' | 'file-transferred' | 'file-ranges-transferred';
  /** BG_JOB_STATE, or -1 when the event does not say. */
  state: number;
  /** When BITS called our callback, in nanoseconds on process.hrtime's clock. */
  receivedAt: number;
  progress?: NativeProgress;
  remoteName?: string;
  localName?: string;
  ranges?: Array<{ offset: number; length: number | null }>;
  /** For 'error': the IBackgroundCopyError that BITS passed to JobError. */
  error?: NativeJobError;
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
  /** COM references held by every addon instance of the process (all worker_threads). */
  processComObjects: number;
  /** Promises not yet settled. */
  pendingCalls: number;
  /** GetProcessHandleCount; where that says 0 (Wine), the process's rows in the system handle table. */
  processHandles: number;
  /** Calls BITS made to our callback object since the process started. */
  callbacksReceived: number;
  /** Wine's version when running under Wine, else null. */
  wine: string | null;
}

export interface NativeBinding {
  /** CoCreateInstance(CLSID_BackgroundCopyManager, CLSCTX_LOCAL_SERVER). */
  connect(): Promise<NativeManager>;
  /** The one function that receives every callback event of this thread's jobs. */
  setEventListener(listener: (event: NativeJobEvent) => void): void;
  /**
   * Called once by lib/: the classes the addon builds its failures with
   * (`new BitsError({ hresult, method, description })`, `new ObjectClosedError(what)`),
   * and the HRESULTs that mean the service is gone (no description is asked for them).
   */
  setErrorClasses(
    bitsError: new (options: { hresult: number; method: string; description?: string | null }) => Error,
    objectClosedError: new (what: string) => Error,
    disconnectionCodes: readonly number[],
  ): void;
  debugStats(): NativeDebugStats;
  /** Test-only: to a COM thread and back with no COM call, the package's own cost of a call. */
  debugRoundTrip(): Promise<void>;
}

declare const binding: NativeBinding;
export default binding;
