// One-call transfers, the equivalent of Start-BitsTransfer: create the job, apply
// the options, add the files, resume, wait, complete. On failure or abort the job
// is cancelled, so nothing is left in the user's queue (60 jobs at most), unless
// keepJobOnError asks to keep it for a later resume. With fallback:
// 'when-unavailable' the same call goes over plain HTTP where BITS cannot run
// (transfer-http.ts); with 'never' off Windows it says why BITS cannot.
import { bitsAvailability } from './availability.js';
import type { BitsAvailability } from './availability-reasons.js';
import { REMEDIES } from './availability-reasons.js';
import { AbortError, BitsError, TimeoutError, UnsupportedPlatformError } from './errors.js';
import type { BackgroundCopyJob } from './job/job.js';
import type { FileSpec } from './job/types.js';
import { BackgroundCopyManager } from './manager.js';
import { HttpTransfer, checkHttpFiles, runHttp } from './transfer-http.js';
import type { HttpTransferResult } from './transfer-http.js';
import { checkFiles, checkOptions, withFiles } from './transfer-options.js';
import type { CheckedOptions, CheckedTransfer, TransferOptions } from './transfer-options.js';

export type { TransferOptions } from './transfer-options.js';
export { HttpTransfer } from './transfer-http.js';
export type { HttpTransferResult } from './transfer-http.js';

/** What a finished one-call transfer reports when BITS did it. */
export interface BitsTransferResult {
  /** 'bits': a BITS job did it. */
  via: 'bits';
  /** The BITS job that did it. */
  jobId: string;
  /** Bytes moved. */
  bytesTransferred: number;
  /** Each file, as given. */
  files: FileSpec[];
  /** From the call to complete(). */
  durationMs: number;
}

/** What a finished one-call transfer reports; `via` says which path ran. */
export type TransferResult = BitsTransferResult | HttpTransferResult;

/** ERROR_NOT_LOGGED_ON: what a job that cannot start for want of a logon fails with. */
const ERROR_NOT_LOGGED_ON = 0x800704dd;
/** How long a job may sit queued with nothing moved, in a session that cannot run it, before the call fails. */
export const QUEUED_GRACE_MS = 300;

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

/**
 * Rejects when the job stays queued with nothing moved for QUEUED_GRACE_MS: in a
 * session that BITS does not count as logged on, BITS leaves it queued with no
 * error until the owner logs on ("Users and Network Connections"), and the call
 * would otherwise wait for timeoutMs or forever.
 */
async function stallGuard(job: BackgroundCopyJob, why: BitsAvailability, signal: AbortSignal): Promise<never> {
  let since: number | undefined;
  for await (const p of job.progress({ intervalMs: 50, signal })) {
    if (p.state !== 'queued' || p.bytesTransferred > 0) {
      since = undefined;
      continue;
    }
    since ??= Date.now();
    if (Date.now() - since >= QUEUED_GRACE_MS) {
      throw new BitsError({ hresult: ERROR_NOT_LOGGED_ON, method: 'IBackgroundCopyJob::GetState', description: `The job stays queued: ${why.detail}`, jobId: job.id });
    }
  }
  return new Promise<never>(() => undefined);
}

async function waitGuarded(job: BackgroundCopyJob, t: CheckedTransfer, availability: Promise<BitsAvailability | null>): Promise<number> {
  const stop = new AbortController();
  const signal = t.wait.signal ? AbortSignal.any([t.wait.signal, stop.signal]) : stop.signal;
  const wait = job.waitForTransfer({ ...t.wait, signal });
  const guard = availability.then((a) => (a?.reason === 'not-logged-on' ? stallGuard(job, a, stop.signal) : new Promise<never>(() => undefined)));
  try {
    return (await Promise.race([wait, guard])).bytesTransferred;
  } finally {
    stop.abort();
    wait.catch(() => undefined);
    guard.catch(() => undefined);
  }
}

async function run(t: CheckedTransfer, availability: Promise<BitsAvailability | null>): Promise<BitsTransferResult> {
  const started = Date.now();
  const { job, manager, own } = await start(t);
  try {
    const bytesTransferred = await waitGuarded(job, t, availability);
    await job.complete();
    return { via: 'bits', jobId: job.id, bytesTransferred, files: t.files, durationMs: Date.now() - started };
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

function refusal(e: BitsError & { reason: NonNullable<BitsError['reason']> }): BitsAvailability {
  return { available: false, reason: e.reason, detail: e.description, remedy: REMEDIES[e.reason] };
}

const isRefusal = (e: unknown): e is BitsError & { reason: NonNullable<BitsError['reason']> } => e instanceof BitsError && e.reason !== undefined;

/** The path a call takes: BITS with its checked job, or HTTP with the reason BITS cannot run. */
async function choose(kind: 'download' | 'upload', files: readonly FileSpec[], options: unknown): Promise<{ o: CheckedOptions; list: FileSpec[]; http?: BitsAvailability; bits?: CheckedTransfer; availability: Promise<BitsAvailability | null> }> {
  const o = checkOptions(kind, options);
  if (o.fallback === 'never') {
    // Off Windows the platform is the reason, not the shape of a POSIX path.
    if (process.platform !== 'win32') throw new UnsupportedPlatformError(process.platform);
    const bits = withFiles(kind, o, files);
    return { o, list: bits.files, bits, availability: bitsAvailability().catch(() => null) };
  }
  const list = checkFiles(kind, files);
  const verdict = await bitsAvailability();
  if (!verdict.available) {
    checkHttpFiles(list);
    return { o, list, http: verdict, availability: Promise.resolve(verdict) };
  }
  return { o, list, bits: withFiles(kind, o, files), availability: Promise.resolve(verdict) };
}

async function transfer(kind: 'download' | 'upload', files: readonly FileSpec[], options: unknown): Promise<TransferResult> {
  const c = await choose(kind, files, options);
  if (!c.bits) return runHttp(kind, c.list, c.o, c.http as BitsAvailability);
  try {
    return await run(c.bits, c.availability);
  } catch (e) {
    if (c.o.fallback === 'when-unavailable' && isRefusal(e)) return runHttp(kind, c.list, c.o, refusal(e));
    throw e;
  }
}

function httpStart(kind: 'download' | 'upload', c: { o: CheckedOptions; list: FileSpec[] }, why: BitsAvailability): HttpTransfer {
  checkHttpFiles(c.list);
  return new HttpTransfer((signal) => runHttp(kind, c.list, { ...c.o, wait: { ...c.o.wait, signal } }, why), c.o.wait.signal);
}

async function startTransfer(kind: 'download' | 'upload', files: readonly FileSpec[], options: unknown): Promise<BackgroundCopyJob | HttpTransfer> {
  const c = await choose(kind, files, options);
  if (!c.bits) return httpStart(kind, c, c.http as BitsAvailability);
  try {
    const { job, manager, own } = await start(c.bits);
    if (own) manager.close();
    return job;
  } catch (e) {
    if (c.o.fallback === 'when-unavailable' && isRefusal(e)) return httpStart(kind, c, refusal(e));
    throw e;
  }
}

/**
 * Downloads one URL to a full local path, or several `{ remoteUrl, localPath }`
 * pairs in one job, and resolves when the files are in place. With `fallback:
 * 'when-unavailable'` plain HTTP does it where BITS cannot (see `bitsAvailability()`).
 */
export async function download(remoteUrl: string, localPath: string, options?: TransferOptions): Promise<TransferResult>;
export async function download(files: readonly FileSpec[], options?: TransferOptions): Promise<TransferResult>;
export async function download(source: Files, localOrOptions?: string | TransferOptions, maybeOptions?: TransferOptions): Promise<TransferResult> {
  const local = typeof localOrOptions === 'string' ? localOrOptions : undefined;
  return transfer('download', fileList(source, local), typeof localOrOptions === 'string' ? maybeOptions : localOrOptions);
}

/** Uploads one local file to a URL of a server speaking the BITS upload protocol (IIS with BITS extensions, or windows-bits/upload-server). */
export async function upload(localPath: string, remoteUrl: string, options?: TransferOptions): Promise<TransferResult> {
  return transfer('upload', [{ remoteUrl, localPath }], options);
}

/**
 * Starts a download and returns the job without waiting: BITS carries on across
 * restarts of this process and of Windows. Keep `job.id`; `manager.getJob(id)`
 * reattaches later, with events. Call `complete()` once it is transferred.
 * With `fallback: 'when-unavailable'` it may return an HttpTransfer instead
 * (`via: 'http'`), which runs in this process only.
 */
export async function startDownload(remoteUrl: string, localPath: string, options?: TransferOptions & { fallback?: 'never' }): Promise<BackgroundCopyJob>;
export async function startDownload(files: readonly FileSpec[], options?: TransferOptions & { fallback?: 'never' }): Promise<BackgroundCopyJob>;
export async function startDownload(remoteUrl: string, localPath: string, options?: TransferOptions): Promise<BackgroundCopyJob | HttpTransfer>;
export async function startDownload(files: readonly FileSpec[], options?: TransferOptions): Promise<BackgroundCopyJob | HttpTransfer>;
export async function startDownload(source: Files, localOrOptions?: string | TransferOptions, maybeOptions?: TransferOptions): Promise<BackgroundCopyJob | HttpTransfer> {
  const local = typeof localOrOptions === 'string' ? localOrOptions : undefined;
  return startTransfer('download', fileList(source, local), typeof localOrOptions === 'string' ? maybeOptions : localOrOptions);
}

/** Starts an upload and returns the job without waiting; see startDownload. */
export async function startUpload(localPath: string, remoteUrl: string, options?: TransferOptions & { fallback?: 'never' }): Promise<BackgroundCopyJob>;
export async function startUpload(localPath: string, remoteUrl: string, options?: TransferOptions): Promise<BackgroundCopyJob | HttpTransfer>;
export async function startUpload(localPath: string, remoteUrl: string, options?: TransferOptions): Promise<BackgroundCopyJob | HttpTransfer> {
  return startTransfer('upload', [{ remoteUrl, localPath }], options);
}
