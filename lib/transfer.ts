// One-call transfers, the equivalent of Start-BitsTransfer: create the job, apply
// the options, add the files, resume, wait, complete. On failure or abort the job
// is cancelled, so nothing is left in the user's queue (60 jobs at most), unless
// keepJobOnError asks to keep it for a later resume.
import { JOB_PRIORITIES, PROXY_USAGES } from './enums.js';
import type { JobPriority } from './enums.js';
import { AbortError, BitsError, TimeoutError } from './errors.js';
import { headerText } from './job.js';
import type { BackgroundCopyJob, Credentials, FileSpec, JobProgress, ProxySettings } from './job.js';
import { BackgroundCopyManager } from './manager.js';
import { requireBoolean, requireLocalName, requireOneOf, requireRemoteName, requireString, requireUint32 } from './validate.js';

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

/** What a finished one-call transfer reports. */
export interface TransferResult {
  /** The BITS job that did it. */
  jobId: string;
  /** Bytes moved. */
  bytesTransferred: number;
  /** Each file, as given. */
  files: FileSpec[];
  /** From the call to complete(). */
  durationMs: number;
}

type Files = string | readonly FileSpec[];

function fileList(source: Files, localPath: string | undefined): FileSpec[] {
  if (typeof source === 'string') {
    if (localPath === undefined) throw new TypeError('localPath is required with a single URL');
    return [{ remoteUrl: source, localPath }];
  }
  if (!Array.isArray(source)) throw new TypeError('expected a URL and a local path, or an array of { remoteUrl, localPath }');
  return Array.from(source as readonly FileSpec[]);
}

async function applyOptions(job: BackgroundCopyJob, o: TransferOptions): Promise<void> {
  if (o.description !== undefined) await job.setDescription(o.description);
  if (o.priority !== undefined) await job.setPriority(o.priority);
  if (o.headers !== undefined) await job.setCustomHeaders(o.headers);
  if (o.credentials !== undefined) {
    for (const c of Array.isArray(o.credentials) ? (o.credentials as readonly Credentials[]) : [o.credentials as Credentials]) await job.setCredentials(c);
  }
  if (o.proxy !== undefined) await job.setProxySettings({ usage: o.proxy.usage, proxyList: o.proxy.proxyList ?? null, bypassList: o.proxy.bypassList ?? null });
  if (o.minimumRetryDelay !== undefined) await job.setMinimumRetryDelay(o.minimumRetryDelay);
  if (o.noProgressTimeout !== undefined) await job.setNoProgressTimeout(o.noProgressTimeout);
  if (o.maximumDownloadTime !== undefined) await (await job.queryJob4()).setMaximumDownloadTime(o.maximumDownloadTime);
  if (o.dynamicContent !== undefined) await job.setDynamicContent(o.dynamicContent);
  if (o.highPerformance !== undefined) await job.setHighPerformance(o.highPerformance);
}

function checkOptions(options: unknown): TransferOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  return options;
}

/** Everything that can be checked without BITS is checked before a job exists. */
function precheck(files: FileSpec[], o: TransferOptions): void {
  if (files.length === 0) throw new RangeError('no files to transfer');
  files.forEach((f: unknown, i) => {
    if (typeof f !== 'object' || f === null) throw new TypeError(`files[${i}] must be { remoteUrl, localPath }`);
    const spec = f as Partial<FileSpec>;
    requireRemoteName(`files[${i}].remoteUrl`, spec.remoteUrl);
    requireLocalName(`files[${i}].localPath`, spec.localPath);
  });
  if (o.description !== undefined) requireString('options.description', o.description, { maxLength: 1024, allowEmpty: true });
  if (o.priority !== undefined) requireOneOf('options.priority', o.priority, JOB_PRIORITIES);
  if (o.headers !== undefined) headerText(o.headers);
  if (o.proxy !== undefined) requireOneOf('options.proxy.usage', (o.proxy as { usage?: unknown } | null)?.usage, PROXY_USAGES);
  for (const key of ['minimumRetryDelay', 'noProgressTimeout', 'maximumDownloadTime'] as const) {
    if (o[key] !== undefined) requireUint32(`options.${key}`, o[key]);
  }
  for (const key of ['dynamicContent', 'highPerformance', 'keepJobOnError'] as const) {
    if (o[key] !== undefined) requireBoolean(`options.${key}`, o[key]);
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new TypeError('options.onProgress must be a function');
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
  if (o.manager !== undefined && !(o.manager instanceof BackgroundCopyManager)) throw new TypeError('options.manager must be a BackgroundCopyManager');
}

async function start(kind: 'download' | 'upload', files: FileSpec[], o: TransferOptions): Promise<{ job: BackgroundCopyJob; manager: BackgroundCopyManager; own: boolean }> {
  const name = o.displayName === undefined ? `windows-bits ${kind}` : requireString('options.displayName', o.displayName, { maxLength: 256 });
  if (kind === 'upload' && files.length !== 1) throw new RangeError('an upload job holds exactly one file');
  precheck(files, o);
  if (o.signal?.aborted) throw new AbortError(undefined, { cause: o.signal.reason });
  const own = o.manager === undefined;
  const manager = o.manager ?? (await BackgroundCopyManager.connect());
  let job: BackgroundCopyJob | undefined;
  try {
    job = await manager.createJob(name, kind);
    await applyOptions(job, o);
    await job.addFiles(files);
    await job.resume();
    return { job, manager, own };
  } catch (e) {
    await job?.cancel().catch(() => undefined);
    if (own) manager.close();
    throw e;
  }
}

async function run(kind: 'download' | 'upload', files: FileSpec[], o: TransferOptions): Promise<TransferResult> {
  const started = Date.now();
  const { job, manager, own } = await start(kind, files, o);
  try {
    const waitOptions: Parameters<BackgroundCopyJob['waitForTransfer']>[0] = {};
    if (o.signal) waitOptions.signal = o.signal;
    if (o.onProgress) waitOptions.onProgress = o.onProgress;
    if (o.pollIntervalMs !== undefined) waitOptions.pollIntervalMs = o.pollIntervalMs;
    const progress = await job.waitForTransfer(waitOptions);
    await job.complete();
    return { jobId: job.id, bytesTransferred: progress.bytesTransferred, files: files.map((f) => ({ ...f })), durationMs: Date.now() - started };
  } catch (e) {
    if (!o.keepJobOnError) await job.cancel().catch(() => undefined);
    if (e instanceof AbortError || e instanceof TimeoutError) e.jobId = job.id;
    if (e instanceof BitsError && e.jobId === undefined) Object.defineProperty(e, 'jobId', { value: job.id, enumerable: true });
    throw e;
  } finally {
    job.close();
    if (own) manager.close();
  }
}

/**
 * Downloads one URL to a full local path, or several `{ remoteUrl, localPath }`
 * pairs in one job, and resolves when the files are in place.
 */
export async function download(remoteUrl: string, localPath: string, options?: TransferOptions): Promise<TransferResult>;
export async function download(files: readonly FileSpec[], options?: TransferOptions): Promise<TransferResult>;
export async function download(source: Files, localOrOptions?: string | TransferOptions, maybeOptions?: TransferOptions): Promise<TransferResult> {
  const local = typeof localOrOptions === 'string' ? localOrOptions : undefined;
  const options = checkOptions(typeof localOrOptions === 'string' ? maybeOptions : localOrOptions);
  return run('download', fileList(source, local), options);
}

/** Uploads one local file to a URL of a server speaking the BITS upload protocol (IIS with BITS extensions). */
export async function upload(localPath: string, remoteUrl: string, options?: TransferOptions): Promise<TransferResult> {
  return run('upload', [{ remoteUrl, localPath }], checkOptions(options));
}

/**
 * Starts a download and returns the job without waiting: BITS carries on across
 * restarts of this process and of Windows. Keep `job.id`; `manager.getJob(id)`
 * reattaches later, with events. Call `complete()` once it is transferred.
 */
export async function startDownload(remoteUrl: string, localPath: string, options?: TransferOptions): Promise<BackgroundCopyJob>;
export async function startDownload(files: readonly FileSpec[], options?: TransferOptions): Promise<BackgroundCopyJob>;
export async function startDownload(source: Files, localOrOptions?: string | TransferOptions, maybeOptions?: TransferOptions): Promise<BackgroundCopyJob> {
  const local = typeof localOrOptions === 'string' ? localOrOptions : undefined;
  const options = checkOptions(typeof localOrOptions === 'string' ? maybeOptions : localOrOptions);
  const { job, manager, own } = await start('download', fileList(source, local), options);
  if (own) manager.close();
  return job;
}

/** Starts an upload and returns the job without waiting; see startDownload. */
export async function startUpload(localPath: string, remoteUrl: string, options?: TransferOptions): Promise<BackgroundCopyJob> {
  const { job, manager, own } = await start('upload', [{ remoteUrl, localPath }], checkOptions(options));
  if (own) manager.close();
  return job;
}
