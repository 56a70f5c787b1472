// The options of the one-call transfers, checked once, before a job exists, into
// the values the addon takes; applying them to the new job then checks nothing
// again. Every check is the one the job's own setter uses.
import { BITS_JOB_PROPERTY, JOB_PRIORITIES } from './enums.js';
import type { JobPriority } from './enums.js';
import type { BackgroundCopyJob } from './job/job.js';
import type { Credentials, FileSpec, JobProgress, ProxySettings, WaitOptions } from './job/types.js';
import { BackgroundCopyManager } from './manager.js';
import {
  MAX_DESCRIPTION,
  MAX_DISPLAY_NAME,
  checkCredentials,
  checkFileSpecs,
  checkProxySettings,
  headerText,
  requireBoolean,
  requireInterval,
  requireOneOf,
  requireString,
  requireWholeNumber,
} from './validate.js';
import type { CheckedCredentials } from './validate.js';

/**
 * Options of `download()`, `upload()`, `startDownload()` and `startUpload()`.
 * Options marked BITS-only are ignored when `fallback` sends the transfer over
 * plain HTTP; there `headers`, `onProgress`, `signal` and `timeoutMs` apply.
 */
export interface TransferOptions {
  /** BITS-only. Default: 'windows-bits download' / 'windows-bits upload'. */
  displayName?: string;
  /** BITS-only. The job description (at most 1024 characters). */
  description?: string;
  /** BITS-only. 'foreground' transfers at once; the others in the background, on idle bandwidth. */
  priority?: JobPriority;
  /** Extra request headers (IBackgroundCopyJobHttpOptions); sent on the HTTP path too. */
  headers?: Readonly<Record<string, string>> | readonly string[];
  /** BITS-only. Server or proxy credentials; the password is wiped from native memory after use. */
  credentials?: Credentials | readonly Credentials[];
  /** BITS-only. Proxy settings, as `job.setProxySettings()` takes them (the HTTP path takes HTTPS_PROXY and NO_PROXY from the environment). */
  proxy?: Partial<ProxySettings> & Pick<ProxySettings, 'usage'>;
  /** BITS-only. Seconds BITS waits before retrying after a transient error. */
  minimumRetryDelay?: number;
  /** BITS-only. Seconds without progress before BITS gives up. */
  noProgressTimeout?: number;
  /** BITS-only. Seconds the whole download may take (IBackgroundCopyJob4). */
  maximumDownloadTime?: number;
  /** BITS-only. Download content without a known size or range support (IBackgroundCopyJob5). */
  dynamicContent?: boolean;
  /** BITS-only. BITS_JOB_PROPERTY_HIGH_PERFORMANCE (IBackgroundCopyJob5). */
  highPerformance?: boolean;
  /** Called with each progress snapshot. */
  onProgress?: (progress: JobProgress) => void;
  /** Aborts the transfer; the job is cancelled unless keepJobOnError. */
  signal?: AbortSignal;
  /** Give up (TimeoutError) after this many milliseconds; the job is cancelled unless keepJobOnError. */
  timeoutMs?: number;
  /** BITS-only. Keep the job in BITS when the transfer fails or is aborted; the error carries its `jobId`. */
  keepJobOnError?: boolean;
  /** BITS-only. How often to ask BITS while no callback arrives (default 500). */
  pollIntervalMs?: number;
  /** BITS-only. A manager to use; otherwise one is connected and closed for the call. */
  manager?: BackgroundCopyManager;
  /**
   * `'never'` (the default): BITS or an error. `'when-unavailable'`: plain HTTP
   * (Node's fetch) when `bitsAvailability()` says BITS cannot run here, or when
   * BITS refuses with a reasoned BitsError (not logged on, service disabled);
   * off Windows this makes the one-call transfers work with the platform's paths.
   * The result's `via` says which path ran.
   */
  fallback?: 'never' | 'when-unavailable';
}

/** Everything a transfer needs, checked. @internal */
export interface CheckedTransfer {
  kind: 'download' | 'upload';
  displayName: string;
  files: FileSpec[];
  fileSet: Array<{ remoteName: string; localName: string }>;
  manager: BackgroundCopyManager | undefined;
  keepJobOnError: boolean;
  wait: WaitOptions;
  /** Each setting as one call on the new job, applied in this order. */
  settings: Array<(job: BackgroundCopyJob) => Promise<unknown>>;
}

function optionsObject(options: unknown): TransferOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError('options must be an object');
  return options;
}

/** The options alone, checked; the files are checked by the path that runs. @internal */
export type CheckedOptions = Omit<CheckedTransfer, 'files' | 'fileSet'> & { fallback: 'never' | 'when-unavailable'; headers: Record<string, string> };

function checkCount(kind: 'download' | 'upload', files: readonly FileSpec[]): void {
  if (!Array.isArray(files) || files.length === 0) throw new RangeError('no files to transfer');
  if (kind === 'upload' && files.length !== 1) throw new RangeError('an upload job holds exactly one file');
}

/** The files as the HTTP path takes them: strings, checked by the transfer itself. @internal */
export function checkFiles(kind: 'download' | 'upload', files: readonly FileSpec[]): FileSpec[] {
  checkCount(kind, files);
  return (files).map((f, i) => {
    if (typeof f !== 'object' || (f as unknown) === null) throw new TypeError(`files[${i}] must be an object { remoteUrl, localPath }`);
    return { remoteUrl: requireString(`files[${i}].remoteUrl`, f.remoteUrl), localPath: requireString(`files[${i}].localPath`, f.localPath) };
  });
}

/** Checks files and options once; throws TypeError/RangeError before any COM call. @internal */
export function checkTransfer(kind: 'download' | 'upload', files: readonly FileSpec[], options: unknown): CheckedTransfer {
  return withFiles(kind, checkOptions(kind, options), files);
}

/** Checked options plus the files as BITS takes them (full Windows paths). @internal */
export function withFiles(kind: 'download' | 'upload', checked: CheckedOptions, files: readonly FileSpec[]): CheckedTransfer {
  checkCount(kind, files);
  const fileSet = checkFileSpecs(files);
  return { ...checked, files: (files).map((f) => ({ remoteUrl: f.remoteUrl, localPath: f.localPath })), fileSet };
}

function headerRecord(headers: TransferOptions['headers']): Record<string, string> {
  if (headers === undefined) return {};
  const out: Record<string, string> = {};
  const lines = Array.isArray(headers) ? (headers as readonly string[]) : Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  for (const line of lines) {
    const colon = line.indexOf(':');
    out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return out;
}

/** Checks the options (not the files); throws TypeError/RangeError. @internal */
export function checkOptions(kind: 'download' | 'upload', options: unknown): CheckedOptions {
  const o = optionsObject(options);
  const settings: CheckedTransfer['settings'] = [];
  const set = (fn: (job: BackgroundCopyJob) => Promise<unknown>): void => void settings.push(fn);

  const displayName = o.displayName === undefined ? `windows-bits ${kind}` : requireString('options.displayName', o.displayName, { maxLength: MAX_DISPLAY_NAME });
  if (o.description !== undefined) {
    const d = requireString('options.description', o.description, { maxLength: MAX_DESCRIPTION, allowEmpty: true });
    set((job) => job.call((j) => j.setDescription(d)));
  }
  if (o.priority !== undefined) {
    const p = JOB_PRIORITIES.indexOf(requireOneOf('options.priority', o.priority, JOB_PRIORITIES));
    set((job) => job.call((j) => j.setPriority(p)));
  }
  const fallback = o.fallback === undefined ? 'never' : requireOneOf('options.fallback', o.fallback, ['never', 'when-unavailable'] as const);
  if (o.headers !== undefined) {
    const text = headerText(o.headers);
    set((job) => job.call((j) => j.setCustomHeaders(text)));
  }
  if (o.credentials !== undefined) {
    const list = Array.isArray(o.credentials) ? (o.credentials as readonly Credentials[]) : [o.credentials as Credentials];
    const checked: CheckedCredentials[] = list.map((c, i) => checkCredentials(Array.isArray(o.credentials) ? `options.credentials[${i}]` : 'options.credentials', c));
    for (const c of checked) set((job) => job.call((j) => j.setCredentials(...c)));
  }
  if (o.proxy !== undefined) {
    const p = checkProxySettings('options.proxy', o.proxy);
    set((job) => job.call((j) => j.setProxySettings(...p)));
  }
  if (o.minimumRetryDelay !== undefined) {
    const s = requireWholeNumber('options.minimumRetryDelay', o.minimumRetryDelay);
    set((job) => job.call((j) => j.setMinimumRetryDelay(s)));
  }
  if (o.noProgressTimeout !== undefined) {
    const s = requireWholeNumber('options.noProgressTimeout', o.noProgressTimeout);
    set((job) => job.call((j) => j.setNoProgressTimeout(s)));
  }
  if (o.maximumDownloadTime !== undefined) {
    const s = requireWholeNumber('options.maximumDownloadTime', o.maximumDownloadTime);
    set((job) => job.call((j) => j.setMaximumDownloadTime(s)));
  }
  if (o.dynamicContent !== undefined) {
    const v = requireBoolean('options.dynamicContent', o.dynamicContent);
    set((job) => job.call((j) => j.setProperty(BITS_JOB_PROPERTY.DYNAMIC_CONTENT, v)));
  }
  if (o.highPerformance !== undefined) {
    const v = requireBoolean('options.highPerformance', o.highPerformance);
    set((job) => job.call((j) => j.setProperty(BITS_JOB_PROPERTY.HIGH_PERFORMANCE, v)));
  }
  const keepJobOnError = o.keepJobOnError === undefined ? false : requireBoolean('options.keepJobOnError', o.keepJobOnError);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new TypeError('options.onProgress must be a function');
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
  if (o.manager !== undefined && !(o.manager instanceof BackgroundCopyManager)) throw new TypeError('options.manager must be a BackgroundCopyManager');
  const wait: WaitOptions = {};
  if (o.signal) wait.signal = o.signal;
  if (o.onProgress) wait.onProgress = o.onProgress;
  if (o.pollIntervalMs !== undefined) {
    wait.pollIntervalMs = requireInterval('options.pollIntervalMs', o.pollIntervalMs);
  }
  if (o.timeoutMs !== undefined) wait.timeoutMs = requireWholeNumber('options.timeoutMs', o.timeoutMs, Number.MAX_SAFE_INTEGER);
  return { kind, displayName, manager: o.manager, keepJobOnError, wait, settings, fallback, headers: headerRecord(o.headers) };
}
