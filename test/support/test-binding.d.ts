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
  /** GetProcessHandleCount; where that says 0 (Wine), the process's rows in the system handle table. */
  processHandles: number;
  /** Calls BITS made to our callback object since the process started. */
  callbacksReceived: number;
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
}

export interface TestBinding extends NativeBinding {
  /** A product converter (native/bits/returned.h and the like) run on CoTaskMem values built as Windows returns them (native/test/converters.cc). */
  debugConvert(kind: string, input?: unknown): ConvertResult;
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
}
