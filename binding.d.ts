// The exact shape of what the product addon (native/) exports. lib/ is the only
// caller: it validates arguments and maps numbers to string unions. Every method
// that reaches BITS returns a promise settled from the COM thread pool; a failure
// rejects with the BitsError class handed over by setErrorClasses, and a call on
// a closed object throws its ObjectClosedError at once.
// The test addon's extra exports are in test/support/test-binding.d.ts.

/**
 * How the addon rejects when setErrorClasses was never called (raw use of the
 * addon): a plain Error. With the classes set it is `new BitsError({ hresult,
 * method, description })`.
 */
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

/** IBackgroundCopyError, read in one task on the COM pool (or in the JobError callback). */
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
  /** null when BITS has no error information (BG_E_ERROR_INFORMATION_UNAVAILABLE). */
  getError(): Promise<NativeJobError | null>;
  /**
   * GetState, GetProgress and, in state BG_JOB_STATE_ERROR or TRANSIENT_ERROR,
   * GetError, in one hop to the COM pool. error is null in other states and when
   * BITS has no error information.
   */
  getStatus(): Promise<NativeJobStatus>;
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
  /** A list BITS gives as NULL or L"" is null (one rule, in the converter, for both lists). */
  getProxySettings(): Promise<{ usage: number; proxyList: string | null; bypassList: string | null }>;
  setProxySettings(usage: number, proxyList: string | null, bypassList: string | null): Promise<void>;
  /** SetNotifyInterface(our callback) and notify flags for every event; undone by unsubscribe or release. */
  subscribe(): Promise<void>;
  unsubscribe(): Promise<void>;
  // IBackgroundCopyJob2
  /** null for "none": BITS gives L"" (Windows) or NULL (Wine) for an unset program or parameters. */
  getNotifyCmdLine(): Promise<{ program: string | null; parameters: string | null }>;
  setNotifyCmdLine(program: string | null, parameters: string | null): Promise<void>;
  getReplyProgress(): Promise<{ bytesTotal: number | null; bytesTransferred: number }>;
  getReplyData(): Promise<Buffer>;
  /** null before any reply file name is set or chosen. */
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
  /** null when no headers are set (BITS answers S_FALSE and NULL). */
  getCustomHeaders(): Promise<string | null>;
  setCustomHeaders(headers: string): Promise<void>;
  getSecurityFlags(): Promise<number>;
  setSecurityFlags(flags: number): Promise<void>;
  /** location: BG_CERT_STORE_LOCATION; hash: 20-byte SHA-1 */
  setClientCertificateByID(location: number, storeName: string, hash: Buffer): Promise<void>;
  setClientCertificateByName(location: number, storeName: string, subjectName: string): Promise<void>;
  removeClientCertificate(): Promise<number>;
  /** null when the job has no client certificate (BITS answers RPC_X_BAD_STUB_DATA). */
  getClientCertificate(): Promise<{ storeLocation: number; storeName: string | null; hash: Buffer | null; subjectName: string | null } | null>;
  getHttpMethod(): Promise<string>;
  setHttpMethod(method: string): Promise<void>;
  makeCustomHeadersWriteOnly(): Promise<number>;
  /** IBackgroundCopyJobHttpOptions3::SetServerCertificateValidationInterface; null removes it. */
  setServerCertificateValidation(validator: ((certificate: Buffer, encodingType: number) => boolean | Promise<boolean>) | null): Promise<void>;
  /** Releases the COM references now (on the COM pool); later calls throw ObjectClosedError('Job {GUID}'). */
  close(): void;
  /** The job as errors name it, `'Job {GUID}'`; the one spelling lib's ObjectClosedError uses too. Answers after close(). */
  describe(): string;
}

/** IBackgroundCopyFile, with File2 and File3 through QueryInterface. */
export interface NativeFile {
  getRemoteName(): Promise<string>;
  getLocalName(): Promise<string>;
  getProgress(): Promise<{ bytesTotal: number | null; bytesTransferred: number; completed: boolean }>;
  setRemoteName(url: string): Promise<void>;
  getFileRanges(): Promise<Array<{ offset: number; length: number | null }>>;
  /** null before BITS chose a temporary file (NULL or ""). */
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
  /** Later calls throw ObjectClosedError('The file'). */
  close(): void;
  /** The file as errors name it, `'The file'`. Answers after close(). */
  describe(): string;
}

/** getStatus()'s answer. */
export interface NativeJobStatus {
  /** BG_JOB_STATE */
  state: number;
  progress: NativeProgress;
  /** Only in BG_JOB_STATE_ERROR and TRANSIENT_ERROR, and only when BITS has the information. */
  error: NativeJobError | null;
}

/** What our IBackgroundCopyCallback3 saw, delivered on the JS thread. */
export interface NativeJobEvent {
  jobId: string;
  kind: 'transferred' | 'error' | 'modification' | 'file-transferred' | 'file-ranges-transferred';
  /** BG_JOB_STATE, or -1 when the event does not say. */
  state: number;
  /** When BITS called our callback, in nanoseconds on process.hrtime's clock. */
  receivedAt: number;
  /** 'transferred', 'error' and 'modification': the job's progress when BITS called. */
  progress?: NativeProgress;
  /**
   * 'error' only: the IBackgroundCopyError that BITS passed to JobError, read in
   * the callback (no second GetError); null when BITS passed none or it could not be read.
   */
  error?: NativeJobError | null;
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
  /** Later calls throw ObjectClosedError('The BackgroundCopyManager'). */
  close(): void;
  /** The manager as errors name it, `'The BackgroundCopyManager'`. Answers after close(). */
  describe(): string;
}

/**
 * What decides whether BITS can transfer for this process (native/bits/availability.cc).
 * Each reading that failed is null; lib/availability.ts turns them into a reason.
 */
export interface NativeAvailability {
  /** SECURITY_LOGON_TYPE of the token's logon session (LsaGetLogonSessionData), or null. */
  logonType: number | null;
  /** LsaGetLogonSessionData's failure as an HRESULT, else 0. */
  logonTypeError: number;
  /** The token's enabled well-known groups: 1 INTERACTIVE, 2 SERVICE, 4 BATCH, 8 NETWORK; null when unreadable. */
  groups: number | null;
  /** The token's user: 0 another account, 1 LocalSystem, 2 LocalService, 3 NetworkService. */
  systemAccount: number;
  /** Whether the token's user has a Remote Desktop Services session (console, Remote Desktop); null when unknown. */
  userSession: boolean | null;
  /** The BITS service's start type (SERVICE_AUTO_START 2, DEMAND 3, DISABLED 4), or null. */
  serviceStartType: number | null;
  /** The BITS service's state (SERVICE_STOPPED 1 ... SERVICE_RUNNING 4), or null. */
  serviceState: number | null;
  /** The service manager's failure as an HRESULT (e.g. 0x80070424 no such service), else 0. */
  serviceError: number;
  /** The ContainerType value under HKLM\SYSTEM\CurrentControlSet\Control, null when absent. */
  containerType: number | null;
  /** Whether CExecSvc (the container execution agent) is installed. */
  containerService: boolean;
  /** BITS Group Policy values set to 0: 1 MaxJobsPerMachine, 2 MaxJobsPerUser, 4 MaxFilesPerJob. */
  policyZero: number;
  /** With probeVersion: the BITS versions whose BackgroundCopyManager class answered, newest first; else null. */
  managerVersions: string[] | null;
}

/**
 * The product addon's exports: exactly the names of `PRODUCT_EXPORTS` in
 * scripts/product-exports.mjs, the one list that the release check and the
 * tests check each build against.
 */
export interface NativeBinding {
  /** CoCreateInstance(CLSID_BackgroundCopyManager, CLSCTX_LOCAL_SERVER). */
  connect(): Promise<NativeManager>;
  /** The readings behind bitsAvailability(); probeVersion also creates each versioned manager class (starts the service). */
  availability(probeVersion?: boolean): Promise<NativeAvailability>;
  /** The one function that receives every callback event of this thread's jobs. */
  setEventListener(listener: (event: NativeJobEvent) => void): void;
  /**
   * Hands lib's error classes to the addon, once, right after loading. From then
   * on a failed call rejects with `new BitsError({ hresult, method, description })`
   * (hresult unsigned; description BITS's or the system's text, or '' for the
   * class's built-in one), and a call on a closed object throws
   * `new ObjectClosedError(what)` synchronously, `what` being the object's
   * `describe()` ('Job {GUID}', 'The BackgroundCopyManager', 'The file'). `disconnectionCodes`
   * is lib's one list of the HRESULTs that mean the service is gone (errors.ts):
   * the addon does not ask the service to describe those.
   */
  setErrorClasses(
    bitsError: new (options: { hresult: number; method: string; description: string }) => Error,
    objectClosedError: new (what: string) => Error,
    disconnectionCodes: readonly number[],
  ): void;
}

declare const binding: NativeBinding;
export default binding;
