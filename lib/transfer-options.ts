// The options of the one-call transfers, checked once, before a job exists, into
// the values the addon takes; applying them to the new job then checks nothing
// again. Every check is the one the job's own setter uses.
import { BITS_JOB_PROPERTY, JOB_PRIORITIES } from './enums.js';
import type { JobPriority } from './enums.js';
import { headerText } from './job/http-options.js';
import { checkFileSpecs, checkProxySettings } from './job/job.js';
import type { BackgroundCopyJob } from './job/job.js';
import { checkCredentials } from './job/job2-3.js';
import type { CheckedCredentials } from './job/job2-3.js';
import type { Credentials, FileSpec, JobProgress, ProxySettings, WaitOptions } from './job/types.js';
import { BackgroundCopyManager } from './manager.js';
import { MAX_DESCRIPTION, MAX_DISPLAY_NAME, requireBoolean, requireOneOf, requireInterval, requireString, requireUint32 } from './validate.js';

/** Options of `download()`, `upload()`, `startDownload()` and `startUpload()`. */
export interface TransferOptions {
  /** Default: 'windows-bits download' / 'windows-bits upload'. */
  displayName?: string;
  /** The job description (at most 1024 characters). */
  description?: string;
  /** 'foreground' transfers at once; the others in the background, on idle bandwidth. */
  priority?: JobPriority;
  /** Extra request headers (IBackgroundCopyJobHttpOptions). */
  headers?: Readonly<Record<string, string>> | readonly string[];
  /** Server or proxy credentials; the password is wiped from native memory after use. */
  credentials?: Credentials | readonly Credentials[];
  /** Proxy settings, as `job.setProxySettings()` takes them. */
  proxy?: Partial<ProxySettings> & Pick<ProxySettings, 'usage'>;
  /** Seconds BITS waits before retrying after a transient error. */
  minimumRetryDelay?: number;
  /** Seconds without progress before BITS gives up. */
  noProgressTimeout?: number;
  /** Seconds the whole download may take (IBackgroundCopyJob4). */
  maximumDownloadTime?: number;
  /** Download content without a known size or range support (IBackgroundCopyJob5). */
  dynamicContent?: boolean;
  /** BITS_JOB_PROPERTY_HIGH_PERFORMANCE (IBackgroundCopyJob5). */
  highPerformance?: boolean;
  /** Called with each progress snapshot. */
  onProgress?: (progress: JobProgress) => void;
  /** Aborts the transfer; the job is cancelled unless keepJobOnError. */
  signal?: AbortSignal;
  /** Keep the job in BITS when the transfer fails or is aborted; the error carries its `jobId`. */
  keepJobOnError?: boolean;
  /** How often to ask BITS while no callback arrives (default 500). */
  pollIntervalMs?: number;
  /** A manager to use; otherwise one is connected and closed for the call. */
  manager?: BackgroundCopyManager;
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

/** Checks files and options once; throws TypeError/RangeError before any COM call. @internal */
export function checkTransfer(kind: 'download' | 'upload', files: readonly FileSpec[], options: unknown): CheckedTransfer {
  const o = optionsObject(options);
  if (!Array.isArray(files) || files.length === 0) throw new RangeError('no files to transfer');
  if (kind === 'upload' && files.length !== 1) throw new RangeError('an upload job holds exactly one file');
  const fileSet = checkFileSpecs(files);
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
    const s = requireUint32('options.minimumRetryDelay', o.minimumRetryDelay);
    set((job) => job.call((j) => j.setMinimumRetryDelay(s)));
  }
  if (o.noProgressTimeout !== undefined) {
    const s = requireUint32('options.noProgressTimeout', o.noProgressTimeout);
    set((job) => job.call((j) => j.setNoProgressTimeout(s)));
  }
  if (o.maximumDownloadTime !== undefined) {
    const s = requireUint32('options.maximumDownloadTime', o.maximumDownloadTime);
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
  return { kind, displayName, files: (files as readonly FileSpec[]).map((f) => ({ remoteUrl: f.remoteUrl, localPath: f.localPath })), fileSet, manager: o.manager, keepJobOnError, wait, settings };
}
