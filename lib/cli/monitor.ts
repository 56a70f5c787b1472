// `bits monitor`: a live table, redrawn in place like `bitsadmin /monitor`; q or
// Ctrl-C quits. Each job is followed on its one watch (lib/job/watch.ts) at the
// monitor's interval, so a frame costs one status read per job and one EnumJobs
// to see jobs come and go; names and types are read once per job. Off a
// terminal, or with --json, it prints one snapshot.
import type { JobState } from '../enums.js';
import type { BackgroundCopyJob } from '../job/job.js';
import type { JobProgress } from '../job/types.js';
import { subscribe } from '../job/watch.js';
import { BitsError } from '../errors.js';
import { MAX_INTERVAL_MS } from '../validate.js';
import { Context, UsageError } from './context.js';
import type { JobSummary } from './describe.js';
import { summaries, summaryTable } from './describe.js';
import { paint } from './format.js';

interface Followed {
  job: BackgroundCopyJob;
  displayName: string;
  type: string;
  state?: JobState;
  progress?: JobProgress;
  stop: () => void;
}

const NO_PROGRESS: JobProgress = { bytesTotal: null, bytesTransferred: 0, filesTotal: 0, filesTransferred: 0 };

export async function monitorCommand(ctx: Context, id: string | undefined, flags: { allUsers?: boolean; interval?: string }): Promise<void> {
  const intervalMs = flags.interval === undefined ? 1000 : Number(flags.interval) * 1000;
  if (!Number.isFinite(intervalMs) || intervalMs < 100 || intervalMs > MAX_INTERVAL_MS) throw new UsageError('--interval takes seconds, from 0.1 to 3600');
  if (ctx.json || !process.stdout.isTTY) {
    const jobs = await summaries(ctx, flags.allUsers === true, id);
    ctx.print(summaryTable(process.stdout, jobs), { time: new Date().toISOString(), jobs });
    return;
  }
  const manager = await ctx.manager();
  const followed = new Map<string, Followed>();
  /** Jobs let go since the last frame, with why: one line each under the table. */
  const notes: string[] = [];

  // Every wait of the loop races `quitting`: q or Ctrl-C ends the command at once,
  // whatever BITS is doing (a call into a stopped service may take its time).
  let stopped = false;
  let quit: () => void = () => undefined;
  const quitting = new Promise<void>((r) => (quit = r)).then(() => {
    stopped = true;
  });
  const untilQuit = <T>(p: Promise<T>): Promise<T | undefined> => Promise.race([p, quitting.then(() => undefined)]);
  process.once('SIGINT', quit);
  const stdin = process.stdin;
  const onKey = (key: Buffer): void => {
    if (key[0] === 0x71 || key[0] === 0x51 || key[0] === 0x03) quit(); // q, Q, Ctrl-C
  };
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onKey);
  }

  const drop = (jobId: string, why?: string): void => {
    const entry = followed.get(jobId);
    if (!entry) return;
    entry.stop();
    entry.job.close();
    followed.delete(jobId);
    if (why) notes.push(`${jobId} dropped: ${why}`);
  };
  // A job is in the table from its first status on; a read that fails drops it.
  const follow = async (job: BackgroundCopyJob): Promise<void> => {
    try {
      const [displayName, type] = await Promise.all([job.getDisplayName(), job.getType()]);
      if (stopped) return job.close();
      const entry: Followed = { job, displayName, type, stop: () => undefined };
      followed.set(job.id, entry);
      // The row appears with its first status, or goes with the first failed read.
      let settled: () => void = () => undefined;
      const first = new Promise<void>((r) => (settled = r));
      entry.stop = subscribe(
        job.id,
        {
          handle: job.handle,
          pollIntervalMs: () => intervalMs,
          onStatus: (s) => {
            entry.state = s.state;
            entry.progress = s.progress;
            settled();
          },
          onError: (e) => {
            drop(job.id, e instanceof BitsError ? `${e.code}: ${e.description}` : e.message);
            settled();
          },
        },
        true,
      );
      await first;
    } catch (e) {
      job.close();
      notes.push(`${job.id} not followed: ${e instanceof BitsError ? `${e.code}: ${e.description}` : (e as Error).message}`);
    }
  };
  // Jobs that came since the last frame are followed; jobs that went are let go.
  // A listing that fails is one line of the frame; the next frame tries again.
  const discover = async (): Promise<void> => {
    let jobs: BackgroundCopyJob[];
    try {
      jobs = id ? (followed.size > 0 ? [] : [await manager.getJob(id)]) : await manager.listJobs({ allUsers: flags.allUsers === true });
    } catch (e) {
      notes.push(`listing jobs failed: ${e instanceof BitsError ? `${e.code}: ${e.description}` : (e as Error).message}`);
      return;
    }
    if (stopped) return jobs.forEach((j) => j.close());
    const listed = new Set(jobs.map((j) => j.id));
    const fresh: Array<Promise<void>> = [];
    for (const job of jobs) {
      if (followed.has(job.id)) job.close();
      else fresh.push(follow(job));
    }
    await Promise.all(fresh);
    if (id) return;
    for (const jobId of [...followed.keys()]) if (!listed.has(jobId)) drop(jobId);
  };

  try {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the key and signal handlers
    while (!stopped) {
      await untilQuit(discover());
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set when quitting settles
      if (stopped) break;
      const rows: JobSummary[] = [...followed.values()].map((f) => ({
        id: f.job.id,
        displayName: f.displayName,
        type: f.type,
        state: f.state ?? 'queued',
        progress: f.progress ?? NO_PROGRESS,
      }));
      const header = paint(process.stdout, 'bold', `bits monitor  ${new Date().toLocaleTimeString()}  (q to quit)`);
      const footer = notes.splice(0).map((n) => `${paint(process.stdout, 'yellow', n)}\n`).join('');
      process.stdout.write(`\x1b[H\x1b[2J${header}\n\n${summaryTable(process.stdout, rows)}\n${footer}`);
      let timer: NodeJS.Timeout | undefined;
      await untilQuit(new Promise<void>((resolve) => (timer = setTimeout(resolve, intervalMs))));
      clearTimeout(timer);
    }
  } finally {
    stopped = true;
    process.off('SIGINT', quit);
    if (stdin.isTTY) {
      stdin.off('data', onKey);
      stdin.setRawMode(false);
      stdin.pause();
    }
    for (const jobId of [...followed.keys()]) drop(jobId);
  }
}
