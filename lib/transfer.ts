// One-call transfers, the equivalent of Start-BitsTransfer: create the job, apply
// the options, add the files, resume, wait, complete. On failure or abort the job
// is cancelled, so nothing is left in the user's queue (60 jobs at most), unless
// keepJobOnError asks to keep it for a later resume.
import { AbortError, BitsError, TimeoutError } from './errors.js';
import type { BackgroundCopyJob } from './job/job.js';
import type { FileSpec } from './job/types.js';
import { BackgroundCopyManager } from './manager.js';
import { checkTransfer } from './transfer-options.js';
import type { CheckedTransfer, TransferOptions } from './transfer-options.js';

export type { TransferOptions } from './transfer-options.js';

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

async function start(t: CheckedTransfer): Promise<{ job: BackgroundCopyJob; manager: BackgroundCopyManager; own: boolean }> {
  if (t.wait.signal?.aborted) throw new AbortError(undefined, { cause: t.wait.signal.reason });
  const own = t.manager === undefined;
  const manager = t.manager ?? (await BackgroundCopyManager.connect());
  let job: BackgroundCopyJob | undefined;
  try {
    const created = await manager.createJob(t.displayName, t.kind);
    job = created;
    for (const apply of t.settings) await apply(created);
    await created.call((j) => j.addFileSet(t.fileSet));
    await created.resume();
    return { job: created, manager, own };
  } catch (e) {
    await job?.cancel().catch(() => undefined);
    if (own) manager.close();
    throw e;
  }
}

async function run(t: CheckedTransfer): Promise<TransferResult> {
  const started = Date.now();
  const { job, manager, own } = await start(t);
  try {
    const progress = await job.waitForTransfer(t.wait);
    await job.complete();
    return { jobId: job.id, bytesTransferred: progress.bytesTransferred, files: t.files, durationMs: Date.now() - started };
  } catch (e) {
    if (!t.keepJobOnError) await job.cancel().catch(() => undefined);
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
  return run(checkTransfer('download', fileList(source, local), typeof localOrOptions === 'string' ? maybeOptions : localOrOptions));
}

/** Uploads one local file to a URL of a server speaking the BITS upload protocol (IIS with BITS extensions). */
export async function upload(localPath: string, remoteUrl: string, options?: TransferOptions): Promise<TransferResult> {
  return run(checkTransfer('upload', [{ remoteUrl, localPath }], options));
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
  const { job, manager, own } = await start(checkTransfer('download', fileList(source, local), typeof localOrOptions === 'string' ? maybeOptions : localOrOptions));
  if (own) manager.close();
  return job;
}

/** Starts an upload and returns the job without waiting; see startDownload. */
export async function startUpload(localPath: string, remoteUrl: string, options?: TransferOptions): Promise<BackgroundCopyJob> {
  const { job, manager, own } = await start(checkTransfer('upload', [{ remoteUrl, localPath }], options));
  if (own) manager.close();
  return job;
}
