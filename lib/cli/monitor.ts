// `bits monitor`: a live table, redrawn in place like `bitsadmin /monitor`; q or
// Ctrl-C quits. Each job is followed on its one watch (lib/job/watch.ts) at the
// monitor's interval, so a frame costs one status read per job and one EnumJobs
// to see jobs come and go; names and types are read once per job. Off a
// terminal, or with --json, it prints one snapshot.
import type { JobState } from '../enums.js';
import type { BackgroundCopyJob } from '../job/job.js';
import type { JobProgress } from '../job/types.js';
import { subscribe } from '../job/watch.js';
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

export async function monitorCommand(ctx: Context, id: string | undefined, flags: { allUsers?: boolean; interval?: string }): Promise<void> {
  const intervalMs = flags.interval === undefined ? 1000 : Number(flags.interval) * 1000;
  if (!Number.isFinite(intervalMs) || intervalMs < 100) throw new UsageError('--interval takes seconds (at least 0.1)');
  if (ctx.json || !process.stdout.isTTY) {
    const jobs = await summaries(ctx, flags.allUsers === true, id);
    ctx.print(summaryTable(process.stdout, jobs), { time: new Date().toISOString(), jobs });
    return;
  }
  const manager = await ctx.manager();
  const followed = new Map<string, Followed>();

  // One promise is the whole wait: a key or Ctrl-C settles it at once, the
  // interval's timer otherwise.
  let stopped = false;
  let wake: () => void = () => undefined;
  const quit = (): void => {
    stopped = true;
    wake();
  };
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

  const follow = async (job: BackgroundCopyJob): Promise<void> => {
    const [displayName, type] = await Promise.all([job.getDisplayName(), job.getType()]);
    let first: () => void = () => undefined;
    const seen = new Promise<void>((r) => (first = r));
    const entry: Followed = { job, displayName, type, stop: () => undefined };
    entry.stop = subscribe(
      job.id,
      {
        handle: job.handle,
        pollIntervalMs: () => intervalMs,
        onStatus: (s) => {
          entry.state = s.state;
          entry.progress = s.progress;
          first();
        },
      },
      true,
    );
    followed.set(job.id, entry);
    await seen;
  };
  // Jobs that came since the last frame are followed; jobs that went are let go.
  const discover = async (): Promise<void> => {
    const jobs = id ? (followed.size > 0 ? [] : [await manager.getJob(id)]) : await manager.listJobs({ allUsers: flags.allUsers === true });
    const listed = new Set(jobs.map((j) => j.id));
    const fresh: Array<Promise<void>> = [];
    for (const job of jobs) {
      if (followed.has(job.id)) job.close();
      else fresh.push(follow(job));
    }
    await Promise.all(fresh);
    if (id) return;
    for (const [jobId, entry] of followed) {
      if (listed.has(jobId)) continue;
      entry.stop();
      entry.job.close();
      followed.delete(jobId);
    }
  };

  try {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the key and signal handlers
    while (!stopped) {
      await discover();
      const rows: JobSummary[] = [...followed.values()].map((f) => ({
        id: f.job.id,
        displayName: f.displayName,
        type: f.type,
        state: f.state ?? 'queued',
        progress: f.progress ?? { bytesTotal: null, bytesTransferred: 0, filesTotal: 0, filesTransferred: 0 },
      }));
      const header = paint(process.stdout, 'bold', `bits monitor  ${new Date().toLocaleTimeString()}  (q to quit)`);
      process.stdout.write(`\x1b[H\x1b[2J${header}\n\n${summaryTable(process.stdout, rows)}\n`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        if (stopped) wake();
      });
    }
  } finally {
    process.off('SIGINT', quit);
    if (stdin.isTTY) {
      stdin.off('data', onKey);
      stdin.setRawMode(false);
      stdin.pause();
    }
    for (const entry of followed.values()) {
      entry.stop();
      entry.job.close();
    }
  }
}
