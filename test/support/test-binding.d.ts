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

export interface TestBinding extends NativeBinding {
  debugStats(): NativeDebugStats;
  /** To a pool thread and back with no COM call: the package's own cost of a call. */
  debugRoundTrip(): Promise<void>;
}
