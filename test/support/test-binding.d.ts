// The test addon (build/test/windows_bits_test.node, CMake target
// windows_bits_test): the product's exports plus test-only counters. Never in
// build/Release or prebuilds/.
import type { NativeBinding } from '../../binding.js';

/** Test-only counters, for leak tests and benchmarks. */
export interface NativeDebugStats {
  /** COM references the addon holds right now. */
  liveComObjects: number;
  /** COM references held by every addon instance of the process (all worker_threads). */
  processComObjects: number;
  /** Promises not yet settled. */
  pendingCalls: number;
  /** Calls posted to the COM pool since the addon loaded in this environment (hops). */
  callsScheduled: number;
  /** Tasks on this instance's COM pool not yet finished, queued or running (a close()'s release is one). */
  poolTasks: number;
  /** GetProcessHandleCount; where that says 0 (Wine), the process's rows in the system handle table. */
  processHandles: number;
  /** Calls BITS made to our callback object since the process started. */
  callbacksReceived: number;
  /** GetState calls answered by the driver's SlowJob (its callback has read the state). */
  slowJobStateReads: number;
  /** Drives (debugDriveCallbacks, debugDriveValidation) whose thread is still running, in the whole process. */
  drivesRunning: number;
  /** Wine's version when running under Wine, else null. */
  wine: string | null;
}

/** What debugConvert saw: the converter's result and the CoTaskMem blocks it took over. */
export interface ConvertResult {
  value: unknown;
  /** The HRESULT the converter returned (clientCertificate), else 0. */
  hresult: number;
  /** CoTaskMemAlloc calls made to build the input, as Windows would. */
  allocations: number;
  /** Of those, the blocks freed once. */
  frees: number;
  /** Frees of a block already freed (swallowed). */
  doubleFrees: number;
  /** Blocks left allocated after the conversion. */
  leaked: number;
  /** With failAt: the C++ allocations made to fail (0: the conversion made fewer than failAt + 1). */
  failedAllocations: number;
  /** The conversion ended with std::bad_alloc (only with failAt). */
  threw: boolean;
}

/**
 * Readings that debugForceAvailability puts in place of availability()'s real ones;
 * each absent key keeps the real reading, a *Result fails that reading with the HRESULT.
 */
export interface ForcedAvailability {
  logonType?: number;
  lsaResult?: number;
  groups?: number;
  groupsResult?: number;
  systemAccount?: number;
  /** true/false: the user has / has no interactive session; null: unknown. */
  userSession?: boolean | null;
  serviceStartType?: number;
  serviceState?: number;
  serviceResult?: number;
  containerType?: number;
  containerService?: boolean;
  policyZero?: number;
  /** connect() (CoCreateInstance of the manager) fails with this HRESULT. */
  connectResult?: number;
}

export interface TestBinding extends NativeBinding {
  /** Replaces availability()'s readings (native/test/availability_hooks.cc); null restores the real ones. */
  debugForceAvailability(spec: ForcedAvailability | null): void;
  /** A product converter (native/bits/returned.h and the like) run on CoTaskMem values built as Windows returns them (native/test/converters.cc). */
  debugConvert(kind: string, input?: unknown, failAt?: number): ConvertResult;
  debugStats(): NativeDebugStats;
  /** To a pool thread and back with no COM call: the package's own cost of a call. */
  debugRoundTrip(): Promise<void>;
  /**
   * A certificate validator for `fn`, as setServerCertificateValidation makes,
   * asked once from a pool thread as BITS would (X509_ASN_ENCODING), waiting at
   * most `limitMs` for the answer. Resolves with the HRESULT BITS would get:
   * 0 to accept, CERT_E_UNTRUSTEDROOT (0x800B0109) to refuse.
   */
  debugValidate(fn: (certificate: Buffer, encodingType: number) => unknown, certificate: Buffer, limitMs: number): Promise<number>;
  /** Every method of the addon's IBackgroundCopyCallback3 with null job and file pointers; their HRESULTs. */
  debugNullCallbacks(): Promise<number[]>;
  /** Whom BITS would call for this job, asked of BITS (GetNotifyInterface): this addon's callback object, another, or none. */
  debugNotifyInterface(jobId: string): Promise<'ours' | 'other' | 'none'>;
  /** Calls the addon's callback as BITS would (native/test/callback_driver.cc); see DriveCallbacksPlan. */
  debugDriveCallbacks(jobId: string, plan: DriveCallbacksPlan): Promise<DriveResult>;
  /** Asks a validator for `fn`, as setServerCertificateValidation makes, from threads of the driver's own. */
  debugDriveValidation(fn: (certificate: Buffer, encodingType: number) => unknown, plan: DriveValidationPlan): Promise<DriveResult>;
  /**
   * A validator set on a stand-in for BITS's IBackgroundCopyJobHttpOptions3, released as a job
   * handle releases it (the stand-in answers the clearing with `plan.clearing` and keeps its
   * reference unless that succeeds), then asked once as BITS asks it.
   */
  debugReleaseValidator(
    fn: (certificate: Buffer, encodingType: number) => unknown,
    plan: { clearing: number; certificate: Buffer; limitMs: number },
  ): { cleared: number; clearings: number; bitsHolds: boolean; answer: number };
}

/** How many calls, from how many threads of the driver's own (1-64) at once, and which allocations fail. */
export interface DriveSpread {
  /** Default 1. */
  threads?: number;
  /** Default 1. */
  calls?: number;
  /**
   * Before each call, on its thread: let `skip` of the call's allocations through, then fail
   * `count` (std::bad_alloc). sweep: call i lets `skip + i` through, so one drive fails each
   * allocation of the call in turn.
   */
  failAllocations?: { skip: number; count: number; sweep?: boolean };
}

/**
 * debugDriveCallbacks: a thread of the driver's own connects its own
 * IBackgroundCopyManager, takes the callback from `via`'s GetNotifyInterface
 * (the job must have a listener in lib/), and calls `method` with job `jobId`
 * (its first file for the file methods).
 */
export interface DriveCallbacksPlan extends DriveSpread {
  method: 'JobTransferred' | 'JobError' | 'JobModification' | 'FileTransferred' | 'FileRangesTransferred';
  /** The job whose GetNotifyInterface gives the callback; default jobId. */
  via?: string;
  /**
   * What the callback is handed as the job: 'real' (default), null, an object of ours whose GetId
   * fails, or 'slow': the real job behind an object of ours whose GetProgress takes `delayMs`, so
   * the state the callback read is stale when its event leaves.
   */
  job?: 'real' | 'null' | 'getid-fails' | 'slow';
  /** job 'slow': how long its GetProgress takes. */
  delayMs?: number;
  /** 'real' (default): the job's first file from EnumFiles; 'null': a null pointer. */
  file?: 'real' | 'null';
  /** JobError: the IBackgroundCopyError from this job's GetError; absent: a null error. */
  errorFrom?: string;
  /** FileRangesTransferred: the ranges passed (length null: BG_LENGTH_TO_EOF). */
  ranges?: Array<{ offset: number; length: number | null }>;
}

/** debugDriveValidation: the certificate (DER, X509_ASN_ENCODING), the chain as the store data, the validator's limit. */
export interface DriveValidationPlan extends DriveSpread {
  certificate: Buffer;
  chain?: Buffer;
  limitMs: number;
}

/** Each call's HRESULT (unsigned), in call order; how many allocations were made to fail, in all and per call. */
export interface DriveResult {
  hresults: number[];
  allocationsFailed: number;
  allocationsFailedEach: number[];
}
