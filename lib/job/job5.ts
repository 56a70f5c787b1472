// IBackgroundCopyJob5's properties (GetProperty/SetProperty with a
// BITS_JOB_PROPERTY_ID), driven by one table: each row names the property, the
// value's kind, and how to check and convert it. The methods of BackgroundCopyJob
// that read and write them are made from the table (lib/job/job.ts attaches them).
// The native half is native/bits/job5.cc.
import type { NativeJob } from '../../binding.js';
import { BITS_JOB_PROPERTY } from '../enums.js';
import { requireBoolean, requireGuid, requireOneOf, requireWholeNumber } from '../validate.js';

/**
 * The targets BITS accepts for BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS:
 * Microsoft documents only BG_AUTH_TARGET_PROXY; 'none' turns the use off.
 */
export type StoredCredentialsTarget = 'proxy' | 'none';

/** IBackgroundCopyJob5 (Windows 8): the job's properties, as methods of BackgroundCopyJob. */
export interface BackgroundCopyJob5 {
  /** BITS_JOB_PROPERTY_DYNAMIC_CONTENT: download without a known size or range support. */
  setDynamicContent(enabled: boolean): Promise<void>;
  /** BITS_JOB_PROPERTY_DYNAMIC_CONTENT */
  getDynamicContent(): Promise<boolean>;
  /** BITS_JOB_PROPERTY_HIGH_PERFORMANCE: use more bandwidth when it is free. */
  setHighPerformance(enabled: boolean): Promise<void>;
  /** BITS_JOB_PROPERTY_HIGH_PERFORMANCE */
  getHighPerformance(): Promise<boolean>;
  /** BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, in bytes (0: no limit). */
  setMaxDownloadSize(bytes: number): Promise<void>;
  /** BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, in bytes. */
  getMaxDownloadSize(): Promise<number>;
  /** BITS_JOB_PROPERTY_ON_DEMAND_MODE (BITS 10.1): download ranges as they are requested. */
  setOnDemandMode(enabled: boolean): Promise<void>;
  /** BITS_JOB_PROPERTY_ON_DEMAND_MODE */
  getOnDemandMode(): Promise<boolean>;
  /** BITS_JOB_PROPERTY_ID_COST_FLAGS: BITS_COST_STATE_* bits or a BITS_COST_* policy. */
  setCostFlags(flags: number): Promise<void>;
  /** BITS_JOB_PROPERTY_ID_COST_FLAGS */
  getCostFlags(): Promise<number>;
  /** BITS_JOB_PROPERTY_NOTIFICATION_CLSID: a COM class BITS activates to notify. */
  setNotificationClsid(clsid: string): Promise<void>;
  /** BITS_JOB_PROPERTY_NOTIFICATION_CLSID, braced and upper case. */
  getNotificationClsid(): Promise<string>;
  /** BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS (BITS 10.1). */
  setMinimumNotificationInterval(ms: number): Promise<void>;
  /** BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS */
  getMinimumNotificationInterval(): Promise<number>;
  /** BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS: use Windows' stored credentials for the proxy. */
  setUseStoredCredentials(target: StoredCredentialsTarget): Promise<void>;
  /** BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS */
  getUseStoredCredentials(): Promise<StoredCredentialsTarget>;
}

type Value = number | boolean | string;
interface Row {
  /** The method name after get/set. */
  name: string;
  /** The setter's parameter, as its messages name it. */
  arg: string;
  id: number;
  /** Checks a caller's value and gives what the addon takes. */
  check: (what: string, value: unknown) => Value;
  /** What the addon gave, as the getter returns it. */
  read: (value: Value) => Value;
}

// BG_AUTH_TARGET numbers: 0 stands for "none", 2 is BG_AUTH_TARGET_PROXY.
const STORED_TARGETS: Record<StoredCredentialsTarget, number> = { none: 0, proxy: 2 };

const bool = (what: string, v: unknown): Value => requireBoolean(what, v);
const dword = (what: string, v: unknown): Value => requireWholeNumber(what, v);
const asBool = (v: Value): Value => v === true;
const asNumber = (v: Value): Value => Number(v);

const ROWS: readonly Row[] = [
  { name: 'DynamicContent', arg: 'enabled', id: BITS_JOB_PROPERTY.DYNAMIC_CONTENT, check: bool, read: asBool },
  { name: 'HighPerformance', arg: 'enabled', id: BITS_JOB_PROPERTY.HIGH_PERFORMANCE, check: bool, read: asBool },
  { name: 'OnDemandMode', arg: 'enabled', id: BITS_JOB_PROPERTY.ON_DEMAND_MODE, check: bool, read: asBool },
  {
    name: 'MaxDownloadSize',
    arg: 'bytes',
    id: BITS_JOB_PROPERTY.MAX_DOWNLOAD_SIZE,
    check: (what, v) => requireWholeNumber(what, v, Number.MAX_SAFE_INTEGER),
    read: asNumber,
  },
  { name: 'CostFlags', arg: 'flags', id: BITS_JOB_PROPERTY.COST_FLAGS, check: dword, read: asNumber },
  { name: 'MinimumNotificationInterval', arg: 'ms', id: BITS_JOB_PROPERTY.MINIMUM_NOTIFICATION_INTERVAL_MS, check: dword, read: asNumber },
  { name: 'NotificationClsid', arg: 'clsid', id: BITS_JOB_PROPERTY.NOTIFICATION_CLSID, check: (what, v) => requireGuid(what, v), read: String },
  {
    name: 'UseStoredCredentials',
    arg: 'target',
    id: BITS_JOB_PROPERTY.USE_STORED_CREDENTIALS,
    check: (what, v) => STORED_TARGETS[requireOneOf(what, v, ['proxy', 'none'] as const)],
    read: (v) => (v === STORED_TARGETS.proxy ? 'proxy' : 'none'),
  },
];

/** What the made methods need of the job. @internal */
export interface JobCaller {
  call<T>(fn: (job: NativeJob) => Promise<T>): Promise<T>;
}

/** The get/set methods of every row, to attach to BackgroundCopyJob's prototype. @internal */
export function propertyMethods(): Record<string, (this: JobCaller, ...args: unknown[]) => Promise<unknown>> {
  const methods: Record<string, (this: JobCaller, ...args: unknown[]) => Promise<unknown>> = {};
  for (const row of ROWS) {
    methods[`get${row.name}`] = async function (this: JobCaller) {
      return row.read(await this.call((j) => j.getProperty(row.id)));
    };
    methods[`set${row.name}`] = async function (this: JobCaller, value: unknown) {
      // The checks run before the promise's first await: bad input never reaches BITS.
      const v = row.check(row.arg, value);
      await this.call((j) => j.setProperty(row.id, v));
    };
  }
  return methods;
}
