// bits download, bits upload, bits wait: transfers with a live progress line.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

import { JOB_PRIORITIES } from '../enums.js';
import type { JobPriority } from '../enums.js';
import type { Credentials, FileSpec, JobProgress } from '../job/types.js';
import { download, startDownload, startUpload, upload } from '../transfer.js';
import type { TransferOptions, TransferResult } from '../transfer.js';
import { Context, UsageError } from './context.js';
import { bytes, duration, fitPair, outputWidth, paint } from './format.js';
import { ProgressBar } from './progress-bar.js';

export interface TransferFlags {
  priority?: string;
  header?: string[];
  user?: string;
  passwordEnv?: string;
  proxy?: string;
  retryDelay?: string;
  progressTimeout?: string | boolean; // commander's name for --no-progress-timeout <s>
  maxTime?: string;
  dynamic?: boolean;
  displayName?: string;
  async?: boolean;
  keepOnError?: boolean;
}

// BITS keeps its delays and timeouts as 32-bit counts of seconds.
const MAX_BITS_SECONDS = 0xffffffff;
// --timeout is waited for in milliseconds, exactly, up to Number.MAX_SAFE_INTEGER.
const MAX_WAIT_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

function seconds(flag: string, value: string | undefined, max = MAX_BITS_SECONDS): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} takes whole seconds, got '${value}'`);
  const n = Number(value);
  if (n > max) throw new UsageError(`${flag} takes at most ${max} seconds, got ${value}`);
  return n;
}

/** Turns the flags into TransferOptions. The password only ever comes from the environment. */
export function transferOptions(flags: TransferFlags, kind: string): TransferOptions {
  const o: TransferOptions = { displayName: flags.displayName ?? `bits ${kind}`, pollIntervalMs: 200 };
  if (flags.priority !== undefined) {
    if (!(JOB_PRIORITIES as readonly string[]).includes(flags.priority)) throw new UsageError(`--priority must be one of ${JOB_PRIORITIES.join(', ')}`);
    o.priority = flags.priority as JobPriority;
  }
  if (flags.header?.length) o.headers = flags.header;
  if (flags.user !== undefined || flags.passwordEnv !== undefined) {
    if (flags.user === undefined) throw new UsageError('--password-env needs --user');
    if (flags.passwordEnv === undefined) throw new UsageError('--user needs --password-env VAR (a password is never taken on the command line)');
    const password = process.env[flags.passwordEnv];
    if (password === undefined) throw new UsageError(`the environment variable ${flags.passwordEnv} is not set`);
    const credentials: Credentials = { target: 'server', scheme: 'basic', userName: flags.user, password };
    o.credentials = credentials;
  }
  if (flags.proxy !== undefined) o.proxy = flags.proxy === 'none' ? { usage: 'no-proxy' } : flags.proxy === 'auto' ? { usage: 'autodetect' } : { usage: 'override', proxyList: flags.proxy };
  const retry = seconds('--retry-delay', flags.retryDelay);
  if (retry !== undefined) o.minimumRetryDelay = retry;
  const noProgress = typeof flags.progressTimeout === 'string' ? seconds('--no-progress-timeout', flags.progressTimeout) : undefined;
  if (noProgress !== undefined) o.noProgressTimeout = noProgress;
  const maxTime = seconds('--max-time', flags.maxTime);
  if (maxTime !== undefined) o.maximumDownloadTime = maxTime;
  if (flags.dynamic) o.dynamicContent = true;
  if (flags.keepOnError) o.keepJobOnError = true;
  return o;
}

/** `<url> [<url> ...] <dest>`: one URL to a file or folder, several into a folder. */
export function downloadSpecs(args: string[]): FileSpec[] {
  if (args.length < 2) throw new UsageError('give at least one URL and a destination');
  const dest = path.resolve(args[args.length - 1] ?? '.');
  const urls = args.slice(0, -1);
  const isDir = existsSync(dest) && statSync(dest).isDirectory();
  if (urls.length > 1 && !isDir) throw new UsageError(`with several URLs the destination must be an existing folder: ${dest}`);
  return urls.map((u) => {
    if (!isDir) return { remoteUrl: u, localPath: dest };
    let name: string;
    try {
      // A Windows path (C:\dir\f, \\?\C:\dir\f, \\server\share\f) is no URL: "C:" would read as its scheme.
      name = (/^([a-zA-Z]:[\\/]|\\\\)/.test(u) ? path.win32.basename(u) : decodeURIComponent(path.posix.basename(new URL(u).pathname))) || 'download';
    } catch {
      throw new UsageError(`not a URL: ${u}`);
    }
    return { remoteUrl: u, localPath: path.join(dest, name) };
  });
}

function summaryLine(ctx: Context, r: TransferResult): string {
  const rate = r.durationMs > 0 ? (r.bytesTransferred * 1000) / r.durationMs : 0;
  const lines = [
    `${paint(process.stdout, 'green', '✓')} ${r.files.length} file${r.files.length === 1 ? '' : 's'}, ${bytes(r.bytesTransferred)} in ${duration(r.durationMs / 1000)} (${bytes(rate)}/s)`,
    ...r.files.map((f) => fitPair('  ', f.remoteUrl, ' -> ', f.localPath, '', outputWidth(process.stdout))),
    `  job ${r.jobId}`,
  ];
  return ctx.json ? '' : lines.join('\n');
}

/** Runs a transfer with the bar, Ctrl-C aborting it (and cancelling the job unless kept). */
async function withProgress(ctx: Context, flags: TransferFlags, run: (o: TransferOptions) => Promise<TransferResult>, o: TransferOptions): Promise<void> {
  const bar = new ProgressBar(process.stderr, !ctx.json && process.stderr.isTTY);
  const controller = new AbortController();
  const onSigint = (): void => {
    bar.done();
    process.stderr.write(flags.keepOnError ? 'Interrupted: the job stays in the BITS queue (--keep-on-error).\n' : 'Interrupted: cancelling the job.\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const result = await run({ ...o, signal: controller.signal, onProgress: (p: JobProgress) => bar.update(p) });
    bar.done();
    ctx.print(summaryLine(ctx, result), result);
  } finally {
    bar.done();
    process.off('SIGINT', onSigint);
  }
}

export async function downloadCommand(ctx: Context, args: string[], flags: TransferFlags): Promise<void> {
  const files = downloadSpecs(args);
  const o = transferOptions(flags, 'download');
  if (flags.async) {
    const job = await startDownload(files, { ...o, manager: await ctx.manager() });
    ctx.print(job.id, { jobId: job.id, files });
    return;
  }
  await withProgress(ctx, flags, (opts) => download(files, { ...opts }), o);
}

export async function uploadCommand(ctx: Context, file: string, url: string, flags: TransferFlags): Promise<void> {
  const local = path.resolve(file);
  if (!existsSync(local)) throw new UsageError(`no such file: ${local}`);
  const o = transferOptions(flags, 'upload');
  if (flags.async) {
    const job = await startUpload(local, url, { ...o, manager: await ctx.manager() });
    ctx.print(job.id, { jobId: job.id, files: [{ remoteUrl: url, localPath: local }] });
    return;
  }
  await withProgress(ctx, flags, (opts) => upload(local, url, opts), o);
}

export async function waitCommand(ctx: Context, id: string, flags: { timeout?: string }): Promise<void> {
  const timeout = seconds('--timeout', flags.timeout, MAX_WAIT_SECONDS);
  const job = await (await ctx.manager()).getJob(id);
  const bar = new ProgressBar(process.stderr, !ctx.json && process.stderr.isTTY);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const progress = await job.waitForTransfer({
      signal: controller.signal,
      pollIntervalMs: 200,
      onProgress: (p) => bar.update(p),
      ...(timeout === undefined ? {} : { timeoutMs: timeout * 1000 }),
    });
    bar.done();
    ctx.print(`${paint(process.stdout, 'green', '✓')} ${job.id} transferred ${bytes(progress.bytesTransferred)}; run 'bits complete ${job.id}' to keep the files`, { jobId: job.id, state: 'transferred', progress });
  } finally {
    bar.done();
    process.off('SIGINT', onSigint);
    job.close();
  }
}
