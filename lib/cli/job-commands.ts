// bits list, info, monitor, create, add, set, resume, suspend, cancel, complete.
import path from 'node:path';

import { JOB_PRIORITIES, JOB_TYPES } from '../enums.js';
import type { JobPriority, JobType } from '../enums.js';
import type { BackgroundCopyJob } from '../job/job.js';
import { Context, UsageError } from './context.js';
import { details, progressText, summaries, summaryTable } from './describe.js';
import type { JobDetails } from './describe.js';
import { bytes, fitPair, middle, outputWidth, paint, stateColor } from './format.js';

export async function listCommand(ctx: Context, flags: { allUsers?: boolean }): Promise<void> {
  const jobs = await summaries(ctx, flags.allUsers === true);
  ctx.print(summaryTable(process.stdout, jobs), { jobs });
}

/** A file of `bits info`: both names shortened in the middle until the line fits. */
function fileLine(f: JobDetails['files'][number], width: number | undefined): string {
  return fitPair(`    ${f.completed ? '✓' : ' '} `, f.remoteName, ' -> ', f.localName, `  ${bytes(f.bytesTransferred)}/${bytes(f.bytesTotal)}`, width);
}

function detailsText(d: JobDetails): string {
  const s = process.stdout;
  const v = (x: string | number | null | undefined): string => (x === null || x === undefined ? paint(s, 'dim', '(not available here)') : String(x));
  const lines = [
    `${paint(s, 'bold', d.displayName)}  ${d.id}`,
    `  type            ${d.type}`,
    `  state           ${paint(s, stateColor(d.state), d.state)}`,
    `  progress        ${progressText(d)}`,
    `  description     ${d.unavailable.includes('description') ? v(null) : d.description ?? ''}`,
    `  priority        ${v(d.priority)}`,
    `  owner           ${v(d.owner)}`,
    `  created         ${v(d.times?.creationTime)}`,
    `  modified        ${v(d.times?.modificationTime)}`,
    `  completed       ${v(d.times?.transferCompletionTime)}`,
    `  errors          ${v(d.errorCount)}`,
    `  retry delay     ${d.minimumRetryDelay === null ? v(null) : `${d.minimumRetryDelay}s`}`,
    `  no-progress     ${d.noProgressTimeout === null ? v(null) : `${d.noProgressTimeout}s`}`,
    `  headers         ${d.customHeaders === null ? v(null) : d.customHeaders.join('; ')}`,
    `  files (${d.files.length})`,
    ...d.files.map((f) => fileLine(f, outputWidth(s))),
  ];
  if (d.error) {
    lines.push(
      `  ${paint(s, 'red', 'error')}           ${d.error.code} (0x${d.error.hresult.toString(16).toUpperCase()}) in ${d.error.context}`,
      `                  ${d.error.message}`,
    );
    if (d.error.contextDescription) lines.push(`                  ${d.error.contextDescription}`);
    if (d.error.file?.remoteName) lines.push(`                  ${d.error.file.remoteName}`);
  }
  // Plain lines too long for the terminal are shortened in the middle; colored
  // ones are short by construction.
  const width = outputWidth(s);
  // eslint-disable-next-line no-control-regex -- a color code marks a line to leave as it is
  return lines.map((l) => (width === undefined || /\x1b\[/.test(l) ? l : middle(l, width))).join('\n');
}

async function withJob<T>(ctx: Context, id: string, fn: (job: BackgroundCopyJob) => Promise<T>): Promise<T> {
  const job = await (await ctx.manager()).getJob(id);
  try {
    return await fn(job);
  } finally {
    job.close();
  }
}

export async function infoCommand(ctx: Context, id: string): Promise<void> {
  const d = await withJob(ctx, id, (job) => details(job));
  ctx.print(detailsText(d), d);
}

export async function createCommand(ctx: Context, name: string, flags: { type?: string }): Promise<void> {
  const type = flags.type ?? 'download';
  if (!(JOB_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type must be one of ${JOB_TYPES.join(', ')}`);
  const job = await (await ctx.manager()).createJob(name, type as JobType);
  job.close();
  ctx.print(job.id, { jobId: job.id, displayName: name, type, state: 'suspended' });
}

export async function addCommand(ctx: Context, id: string, url: string, dest: string): Promise<void> {
  const localPath = path.resolve(dest);
  await withJob(ctx, id, (job) => job.addFile(url, localPath));
  ctx.print(`added ${url} -> ${localPath}`, { jobId: id, remoteUrl: url, localPath });
}

export interface SetFlags {
  priority?: string;
  description?: string;
  displayName?: string;
  header?: string[];
  retryDelay?: string;
  progressTimeout?: string | boolean;
}

export async function setCommand(ctx: Context, id: string, flags: SetFlags): Promise<void> {
  // Every option is checked before BITS is asked anything.
  const steps: Array<[string, (job: BackgroundCopyJob) => Promise<void>]> = [];
  const { priority, description, displayName, header, retryDelay, progressTimeout } = flags;
  if (priority !== undefined) {
    if (!(JOB_PRIORITIES as readonly string[]).includes(priority)) throw new UsageError(`--priority must be one of ${JOB_PRIORITIES.join(', ')}`);
    steps.push(['priority', (job) => job.setPriority(priority as JobPriority)]);
  }
  if (description !== undefined) steps.push(['description', (job) => job.setDescription(description)]);
  if (displayName !== undefined) steps.push(['displayName', (job) => job.setDisplayName(displayName)]);
  if (header?.length) steps.push(['headers', (job) => job.setCustomHeaders(header)]);
  if (retryDelay !== undefined) {
    if (!/^\d+$/.test(retryDelay)) throw new UsageError('--retry-delay takes whole seconds');
    steps.push(['minimumRetryDelay', (job) => job.setMinimumRetryDelay(Number(retryDelay))]);
  }
  if (typeof progressTimeout === 'string') {
    if (!/^\d+$/.test(progressTimeout)) throw new UsageError('--no-progress-timeout takes whole seconds');
    steps.push(['noProgressTimeout', (job) => job.setNoProgressTimeout(Number(progressTimeout))]);
  }
  if (steps.length === 0) throw new UsageError('nothing to set: give at least one option');
  await withJob(ctx, id, async (job) => {
    for (const [, step] of steps) await step(job);
  });
  const changed = steps.map(([name]) => name);
  ctx.print(`set ${changed.join(', ')} on ${id}`, { jobId: id, changed });
}

export async function stateCommand(ctx: Context, action: 'resume' | 'suspend' | 'cancel' | 'complete', id: string): Promise<void> {
  const outcome = await withJob(ctx, id, async (job) => {
    if (action === 'resume') await job.resume();
    else if (action === 'suspend') await job.suspend();
    else if (action === 'cancel') return job.cancel();
    else return job.complete();
    return action === 'resume' ? 'resumed' : 'suspended';
  });
  ctx.print(`${id}: ${outcome}`, { jobId: id, action, outcome });
}

