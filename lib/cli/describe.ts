// What `bits list`, `info` and `monitor` show of a job, read once and shaped for
// both the JSON documents and the human tables. Properties the running BITS lacks
// (E_NOTIMPL, E_NOINTERFACE: older Windows, Wine) come out as null and are named
// in `unavailable`, so scripts can tell "no value" from "not supported here".
import { BitsError } from '../errors.js';
import type { JobError } from '../errors.js';
import type { BackgroundCopyJob } from '../job/job.js';
import type { JobProgress } from '../job/types.js';
import type { Context } from './context.js';
import { bytes, outputWidth, paint, stateColor, table } from './format.js';

export interface JobSummary {
  id: string;
  displayName: string;
  type: string;
  state: string;
  progress: JobProgress;
}

export interface JobDetails extends JobSummary {
  description: string | null;
  priority: string | null;
  owner: string | null;
  times: { creationTime: string | null; modificationTime: string | null; transferCompletionTime: string | null } | null;
  errorCount: number | null;
  minimumRetryDelay: number | null;
  noProgressTimeout: number | null;
  customHeaders: string[] | null;
  files: Array<{ remoteName: string; localName: string; bytesTotal: number | null; bytesTransferred: number; completed: boolean }>;
  error: JobError | null;
  unavailable: string[];
}

const UNSUPPORTED = new Set(['E_NOTIMPL', 'E_NOINTERFACE', 'HRESULT_FROM_WIN32(998)']);

export async function summarize(job: BackgroundCopyJob): Promise<JobSummary> {
  const [displayName, type, { state, progress }] = await Promise.all([job.getDisplayName(), job.getType(), job.getSnapshot()]);
  return { id: job.id, displayName, type, state, progress };
}

export async function details(job: BackgroundCopyJob): Promise<JobDetails> {
  const unavailable: string[] = [];
  const optional = async <T>(name: string, read: () => Promise<T>): Promise<T | null> => {
    try {
      return await read();
    } catch (e) {
      if (e instanceof BitsError && UNSUPPORTED.has(e.code)) {
        unavailable.push(name);
        return null;
      }
      throw e;
    }
  };
  const summary = await summarize(job);
  const files = await Promise.all(
    (await job.listFiles()).map(async (f) => {
      const [remoteName, localName, p] = await Promise.all([f.getRemoteName(), f.getLocalName(), f.getProgress()]);
      f.close();
      return { remoteName, localName, ...p };
    }),
  );
  const times = await optional('times', () => job.getTimes());
  return {
    ...summary,
    description: await optional('description', () => job.getDescription()),
    priority: await optional('priority', () => job.getPriority()),
    owner: await optional('owner', () => job.getOwner()),
    times: times && {
      creationTime: times.creationTime?.toISOString() ?? null,
      modificationTime: times.modificationTime?.toISOString() ?? null,
      transferCompletionTime: times.transferCompletionTime?.toISOString() ?? null,
    },
    errorCount: await optional('errorCount', () => job.getErrorCount()),
    minimumRetryDelay: await optional('minimumRetryDelay', () => job.getMinimumRetryDelay()),
    noProgressTimeout: await optional('noProgressTimeout', () => job.getNoProgressTimeout()),
    customHeaders: await optional('customHeaders', () => job.getCustomHeaders()),
    files,
    error: await job.getError(),
    unavailable,
  };
}

export function progressText(s: JobSummary): string {
  const p = s.progress;
  return `${bytes(p.bytesTransferred)}/${bytes(p.bytesTotal)} files ${p.filesTransferred}/${p.filesTotal}`;
}

export function summaryTable(stream: NodeJS.WriteStream, jobs: JobSummary[]): string {
  if (jobs.length === 0) return 'no jobs';
  return table(
    jobs.map((j) => [j.id, paint(stream, stateColor(j.state), j.state), j.type, progressText(j), j.displayName]),
    ['ID', 'STATE', 'TYPE', 'PROGRESS', 'NAME'],
    // The name gives way first, then the id (still unique by its two ends).
    { maxWidth: outputWidth(stream), shrink: [4, 0] },
  );
}

export async function summaries(ctx: Context, allUsers: boolean, only?: string): Promise<JobSummary[]> {
  const m = await ctx.manager();
  const jobs = only ? [await m.getJob(only)] : await m.listJobs({ allUsers });
  try {
    return await Promise.all(jobs.map((j) => summarize(j)));
  } finally {
    for (const j of jobs) j.close();
  }
}
