// IBackgroundCopyJob5's properties (GetProperty/SetProperty with a
// BITS_JOB_PROPERTY_ID), driven by one table: each row names the property, says
// how a caller's value is checked into what the addon takes and how the addon's
// value reads back. The getX()/setX() methods are made from the rows, and the
// value types of the public interface (BackgroundCopyJob5) come from them: a
// property's type is written once, in its row. lib/job/job.ts attaches the
// methods. The native half is native/bits/job5.cc.
import { BITS_JOB_PROPERTY } from '../enums.js';
import { requireBoolean, requireGuid, requireOneOf, requireWholeNumber } from '../validate.js';
import type { JobCaller } from './types.js';

/**
 * The targets BITS accepts for BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS:
 * Microsoft documents only BG_AUTH_TARGET_PROXY; 'none' turns the use off.
 */
export type StoredCredentialsTarget = 'proxy' | 'none';

/** What GetProperty gives and SetProperty takes: a BITS_JOB_PROPERTY_VALUE. */
type Native = number | boolean | string;

/** One property; `V` is the value as the getter returns it and the setter takes it. */
interface Property<V> {
  id: number;
  /** The setter's parameter, as its messages name it. */
  arg: string;
  /** Checks a caller's value and gives what the addon takes. */
  check: (what: string, value: unknown) => Native;
  /** What the addon gave, as the getter returns it. */
  read: (value: Native) => V;
}
const property = <V>(p: Property<V>): Property<V> => p;

// BG_AUTH_TARGET numbers: 0 stands for "none", 2 is BG_AUTH_TARGET_PROXY.
const STORED_TARGETS: Record<StoredCredentialsTarget, number> = { none: 0, proxy: 2 };

const asBool = (v: Native): boolean => v === true;
const asNumber = (v: Native): number => Number(v);
const dword = (what: string, v: unknown): number => requireWholeNumber(what, v);

// One row per property; BackgroundCopyJob5 below documents the methods each row makes.
const PROPERTIES = {
  DynamicContent: property({ id: BITS_JOB_PROPERTY.DYNAMIC_CONTENT, arg: 'enabled', check: requireBoolean, read: asBool }),
  HighPerformance: property({ id: BITS_JOB_PROPERTY.HIGH_PERFORMANCE, arg: 'enabled', check: requireBoolean, read: asBool }),
  OnDemandMode: property({ id: BITS_JOB_PROPERTY.ON_DEMAND_MODE, arg: 'enabled', check: requireBoolean, read: asBool }),
  MaxDownloadSize: property({
    id: BITS_JOB_PROPERTY.MAX_DOWNLOAD_SIZE,
    arg: 'bytes',
    check: (what, v) => requireWholeNumber(what, v, Number.MAX_SAFE_INTEGER),
    read: asNumber,
  }),
  CostFlags: property({ id: BITS_JOB_PROPERTY.COST_FLAGS, arg: 'flags', check: dword, read: asNumber }),
  MinimumNotificationInterval: property({ id: BITS_JOB_PROPERTY.MINIMUM_NOTIFICATION_INTERVAL_MS, arg: 'ms', check: dword, read: asNumber }),
  NotificationClsid: property({ id: BITS_JOB_PROPERTY.NOTIFICATION_CLSID, arg: 'clsid', check: requireGuid, read: String }),
  UseStoredCredentials: property({
    id: BITS_JOB_PROPERTY.USE_STORED_CREDENTIALS,
    arg: 'target',
    check: (what, v) => STORED_TARGETS[requireOneOf(what, v, ['proxy', 'none'] as const)],
    read: (v): StoredCredentialsTarget => (v === STORED_TARGETS.proxy ? 'proxy' : 'none'),
  }),
};

type Properties = typeof PROPERTIES;
/**
 * The value of property `K` as its getter returns it and its setter takes it:
 * the type its row's `read` gives.
 * @inline
 */
type ValueOf<K extends keyof Properties> = Properties[K] extends Property<infer V> ? V : never;

/** IBackgroundCopyJob5 (Windows 8): the job's properties, as methods of BackgroundCopyJob. */
export interface BackgroundCopyJob5 {
  /** BITS_JOB_PROPERTY_DYNAMIC_CONTENT: download without a known size or range support. */
  setDynamicContent(enabled: ValueOf<'DynamicContent'>): Promise<void>;
  /** BITS_JOB_PROPERTY_DYNAMIC_CONTENT */
  getDynamicContent(): Promise<ValueOf<'DynamicContent'>>;
  /** BITS_JOB_PROPERTY_HIGH_PERFORMANCE: use more bandwidth when it is free. */
  setHighPerformance(enabled: ValueOf<'HighPerformance'>): Promise<void>;
  /** BITS_JOB_PROPERTY_HIGH_PERFORMANCE */
  getHighPerformance(): Promise<ValueOf<'HighPerformance'>>;
  /** BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, in bytes (0: no limit). */
  setMaxDownloadSize(bytes: ValueOf<'MaxDownloadSize'>): Promise<void>;
  /** BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, in bytes. */
  getMaxDownloadSize(): Promise<ValueOf<'MaxDownloadSize'>>;
  /** BITS_JOB_PROPERTY_ON_DEMAND_MODE (BITS 10.1): download ranges as they are requested. */
  setOnDemandMode(enabled: ValueOf<'OnDemandMode'>): Promise<void>;
  /** BITS_JOB_PROPERTY_ON_DEMAND_MODE */
  getOnDemandMode(): Promise<ValueOf<'OnDemandMode'>>;
  /** BITS_JOB_PROPERTY_ID_COST_FLAGS: BITS_COST_STATE_* bits or a BITS_COST_* policy. */
  setCostFlags(flags: ValueOf<'CostFlags'>): Promise<void>;
  /** BITS_JOB_PROPERTY_ID_COST_FLAGS */
  getCostFlags(): Promise<ValueOf<'CostFlags'>>;
  /** BITS_JOB_PROPERTY_NOTIFICATION_CLSID: a COM class BITS activates to notify. */
  setNotificationClsid(clsid: ValueOf<'NotificationClsid'>): Promise<void>;
  /** BITS_JOB_PROPERTY_NOTIFICATION_CLSID, braced and upper case. */
  getNotificationClsid(): Promise<ValueOf<'NotificationClsid'>>;
  /** BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS (BITS 10.1). */
  setMinimumNotificationInterval(ms: ValueOf<'MinimumNotificationInterval'>): Promise<void>;
  /** BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS */
  getMinimumNotificationInterval(): Promise<ValueOf<'MinimumNotificationInterval'>>;
  /** BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS: use Windows' stored credentials for the proxy. */
  setUseStoredCredentials(target: ValueOf<'UseStoredCredentials'>): Promise<void>;
  /** BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS */
  getUseStoredCredentials(): Promise<ValueOf<'UseStoredCredentials'>>;
}

/** The getX/setX pair the table makes of each row: the interface above must name exactly these. */
type MadeMethods = { [K in keyof Properties as `get${K}`]: () => Promise<ValueOf<K>> } & {
  [K in keyof Properties as `set${K}`]: (value: ValueOf<K>) => Promise<void>;
};
// Compile-time proof that the documented interface and the table agree, both ways:
// a row without its methods, or a method without its row, fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Agreed<T extends true> = T;
/** @internal */
export type TableAgreesWithInterface = Agreed<Same<BackgroundCopyJob5, MadeMethods>>;

/** The get/set methods of every row, attached to BackgroundCopyJob's prototype. @internal */
export const job5Methods = Object.fromEntries(
  Object.entries(PROPERTIES as Record<string, Property<unknown>>).flatMap(([name, row]) => [
    [
      `get${name}`,
      async function (this: JobCaller): Promise<unknown> {
        return row.read(await this.call((j) => j.getProperty(row.id)));
      },
    ],
    [
      `set${name}`,
      async function (this: JobCaller, value: unknown): Promise<void> {
        // The checks run before the promise's first await: bad input never reaches BITS.
        const v = row.check(row.arg, value);
        await this.call((j) => j.setProperty(row.id, v));
      },
    ],
  ]),
) as unknown as BackgroundCopyJob5 & ThisType<JobCaller>;
