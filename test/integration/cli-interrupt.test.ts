// Ctrl-C during `bits download`: the CLI's SIGINT handler, run in this process,
// cancels the job and says so, or leaves it with --keep-on-error. (Delivering the
// signal itself is Node's business; the listeners the CLI adds are called here.)
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';

import { main } from '../../lib/cli/main.js';
import type { BackgroundCopyJob, BitsError } from '../../lib/index.js';
import { startServer } from '../support/http-server.js';
import type { TestServer } from '../support/http-server.js';
import { cancelQuietly, manager, randomContent, tempFolder, wine } from './helpers.js';

const folder = tempFolder();
let server: TestServer;
const created: BackgroundCopyJob[] = [];

beforeAll(async () => {
  server = await startServer({ 'big.bin': randomContent(1_000_000) }, { bytesPerSecond: 200_000 });
});
afterAll(async () => {
  await cancelQuietly(...created);
  await server.close();
  folder.cleanup();
});

async function interrupted(extra: string[]): Promise<{ code: number; stderr: string; job: BackgroundCopyJob }> {
  const name = `interrupt ${Math.random().toString(36).slice(2)}`;
  const stderr: string[] = [];
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const before = process.listeners('SIGINT');
  try {
    const run = main(['download', ...extra, '--display-name', name, server.url('big.bin'), path.join(folder.dir, `${name}.bin`)]);
    const m = await manager();
    let job: BackgroundCopyJob | undefined;
    for (let i = 0; i < 200 && !job; i++) {
      for (const j of await m.listJobs()) {
        if (!job && (await j.getDisplayName()) === name && (await j.getProgress()).bytesTransferred > 0) job = j;
        else j.close();
      }
      if (!job) await new Promise((r) => setTimeout(r, 50));
    }
    expect(job, 'the download started').toBeDefined();
    const added = process.listeners('SIGINT').filter((l) => !before.includes(l));
    expect(added).toHaveLength(1);
    for (const listener of added) (listener as () => void)();
    const code = await run;
    return { code, stderr: stderr.join(''), job: job! };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

describe('bits download and Ctrl-C', () => {
  test('Ctrl-C cancels the job and says so', async () => {
    const { code, stderr, job } = await interrupted([]);
    expect(code).toBe(1);
    expect(stderr).toContain('Interrupted: cancelling the job.');
    const state = await job.getState().catch((e: unknown) => (e as BitsError).code);
    expect(state).toBe('cancelled');
    if (!wine) await expect((await manager()).getJob(job.id)).rejects.toMatchObject({ code: 'BG_E_NOT_FOUND' });
  });

  test('with --keep-on-error, Ctrl-C leaves the job in the queue and says so', async () => {
    const { code, stderr, job } = await interrupted(['--keep-on-error']);
    created.push(job);
    expect(code).toBe(1);
    expect(stderr).toContain('the job stays in the BITS queue');
    expect(['queued', 'connecting', 'transferring', 'transferred']).toContain(await job.getState());
  });
});
