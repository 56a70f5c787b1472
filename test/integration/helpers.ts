// Shared by the integration tests, which run against a real BITS service.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, expect } from 'vitest';

import { useBinding } from '../../lib/binding.js';
import { BackgroundCopyManager, BitsError } from '../../lib/index.js';
import { startServer } from '../support/http-server.js';
import type { TestServer, TestServerOptions } from '../support/http-server.js';
import type { TestBinding } from '../support/test-binding.js';
import type { BackgroundCopyFile, BackgroundCopyJob, JobState, JobType } from '../../lib/index.js';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../..', import.meta.url));
/**
 * Where `npm run build` puts the test addon (CMake target windows_bits_test), or
 * WINDOWS_BITS_TEST_ADDON: scripts/coverage.mjs points it at the gcov-instrumented
 * build (build-coverage/test/windows_bits_test.node).
 */
export const testAddonPath = process.env.WINDOWS_BITS_TEST_ADDON || path.join(root, 'build', 'test', 'windows_bits_test.node');
/**
 * The test addon: the product's exports plus test-only counters. lib/ uses this
 * same copy (useBinding, before any lib call), so one addon runs in the process.
 */
export const rawBinding = require(testAddonPath) as TestBinding;
useBinding(rawBinding);

/** Wine's version under Wine, null on Windows. */
export const wine = rawBinding.debugStats().wine;

/**
 * A fresh folder in the Windows temp folder (C:\users\...\Temp under Wine), by
 * its long name: on a runner os.tmpdir() is C:\Users\RUNNER~1\..., and BITS hands
 * back the paths it is given in the form Windows resolves them to.
 */
export interface TempFolder {
  dir: string;
  cleanup(): void;
}

export function tempFolder(): TempFolder {
  const dir = mkdtempSync(path.join(realpathSync.native(tmpdir()), 'windows-bits-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts a process whose stdout goes to the file `out`, and its stderr to `err` or
 * the same file: Windows Node under Wine cannot write to a pipe. This process
 * closes its copies of the files whether or not the spawn succeeds. A descriptor
 * left open by a spawn that threw keeps its file, and so its folder, from being
 * deleted on Windows: in one CI run a `spawn UNKNOWN` in `cli.test.ts` was
 * followed by ENOTEMPTY from its folder's cleanup.
 */
export function spawnToFiles(command: string, args: string[], out: string, options: { err?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
  const stdout = openSync(out, 'w');
  let stderr = stdout;
  try {
    if (options.err) stderr = openSync(options.err, 'w');
    return spawn(command, args, { stdio: ['ignore', stdout, stderr], env: options.env, cwd: options.cwd });
  } finally {
    closeSync(stdout);
    if (stderr !== stdout) closeSync(stderr);
  }
}

/** The built `bits` CLI: dist/, from `npm run build`. */
export const cliPath = path.join(root, 'dist', 'cli', 'main.js');

export interface CliOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

let cliRuns = 0;

/** `bits <args>` run to its end by this Node, its output read back from files in `dir`. */
export async function runBits(dir: string, args: string[], env: Record<string, string> = {}): Promise<CliOutput> {
  const base = path.join(dir, `bits-${cliRuns++}`);
  const child = spawnToFiles(process.execPath, [cliPath, ...args], `${base}.out`, { err: `${base}.err`, env: { ...process.env, ...env } });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout: readFileSync(`${base}.out`, 'utf8'), stderr: readFileSync(`${base}.err`, 'utf8') };
}

export function randomContent(bytes: number): Buffer {
  return randomBytes(bytes);
}

/**
 * Where Wine leaves a BITS method unimplemented, the call must fail cleanly with
 * E_NOTIMPL there; on Windows it must return a real value, which `check` asserts.
 */
export async function realOrNotImplemented<T>(call: Promise<T>, check: (value: T) => void, method: string): Promise<void> {
  if (wine) {
    const e = await call.then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(BitsError);
    expect((e as BitsError).code).toBe('E_NOTIMPL');
    expect((e as BitsError).method).toBe(method);
  } else {
    check(await call);
  }
}

/** `call` rejects with a BitsError of this symbolic code, naming this method. */
export async function expectCode(call: Promise<unknown>, code: string, method: string): Promise<void> {
  const e = await call.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(BitsError);
  expect(e).toMatchObject({ code, method });
}

/** Polls until the job reaches one of `states` (BITS calls are cheap; 50 ms is fine). */
export async function waitForState(job: BackgroundCopyJob, states: JobState[], timeoutMs = 30_000): Promise<JobState> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await job.getState();
    if (states.includes(s)) return s;
    if (Date.now() > end) throw new Error(`job ${job.id} stayed '${s}', never reached ${states.join('/')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let shared: BackgroundCopyManager | undefined;
export async function manager(): Promise<BackgroundCopyManager> {
  shared ??= await BackgroundCopyManager.connect();
  return shared;
}

/** `p`, or the text `late` when it has not settled within `ms`. */
async function within<T>(p: Promise<T>, ms: number, late: string): Promise<T | string> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(late), ms)));
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Cancels jobs a test created, whatever state they ended in. */
export async function cancelQuietly(...jobs: BackgroundCopyJob[]): Promise<void> {
  // Bounded: a cleanup must not turn a failed test into a hung suite.
  await within(Promise.all(jobs.map((j) => j.cancel().catch(() => undefined))), 10_000, 'late');
}

/** What a test file shares: made at its top level, torn down after its last test. */
export interface FileFixture {
  /** A temp folder (tempFolder()), removed after the file. */
  folder: TempFolder;
  /** Jobs the file made; after the file each is cancelled, whatever state it ended in. */
  created: BackgroundCopyJob[];
  /** A new job through the shared manager, added to `created`. */
  createJob(displayName: string, type?: JobType): Promise<BackgroundCopyJob>;
  /**
   * An HTTP file server (range-server.mjs), started before the file's tests and
   * closed after them. Call it at the file's top level; the server answers once
   * the tests run.
   */
  serve(files: Record<string, Buffer>, options?: TestServerOptions): TestServer;
  /** A step of the teardown (a server of another kind closed, say): run after the jobs are cancelled, with the servers', in turn. */
  onTeardown(step: () => unknown): void;
}

/**
 * The setup of a test file: its folder, its jobs and its servers, torn down in
 * one after-hook in this order: jobs cancelled while their servers still answer,
 * then the servers closed (and any other step, in the order added), then the
 * folder removed. Registered when called, so the file's own after-hooks run first.
 */
export function fileFixture(): FileFixture {
  const folder = tempFolder();
  const created: BackgroundCopyJob[] = [];
  const steps: Array<() => unknown> = [];
  afterAll(async () => {
    await cancelQuietly(...created);
    for (const step of steps) await step();
    folder.cleanup();
  });
  return {
    folder,
    created,
    async createJob(displayName, type) {
      const job = await (await manager()).createJob(displayName, type);
      created.push(job);
      return job;
    },
    serve(files, options) {
      let started: TestServer | undefined;
      beforeAll(async () => {
        started = await startServer(files, options);
      });
      steps.push(() => started?.close());
      const live = (): TestServer => {
        if (!started) throw new Error('the server starts before the first test: use it inside a test or hook');
        return started;
      };
      return {
        url: (name) => live().url(name),
        add: (name, body) => live().add(name, body),
        get requests() {
          return live().requests;
        },
        dropConnections: () => live().dropConnections(),
        close: () => live().close(),
      };
    },
    onTeardown: (step) => void steps.push(step),
  };
}

/**
 * What a failed test leaves behind, for its report: whether the addon's COM pool
 * answers, the calls still pending, and every job in the queue with its state,
 * progress and files. A test that timed out shows here whether BITS stopped moving
 * a job (Wine transfers one job at a time), a call into BITS never returned, or
 * the package missed a change.
 */
export async function queueReport(): Promise<string> {
  const stats = rawBinding.debugStats();
  const lines = [`after the failure: ${stats.pendingCalls} calls pending, ${stats.callsScheduled} scheduled, ${stats.callbacksReceived} callbacks received`];
  lines.push(`  COM pool round trip: ${await within(rawBinding.debugRoundTrip().then(() => 'answers'), 5_000, 'no answer in 5 s')}`);
  const jobs = await within(
    manager().then(
      (m) => m.listJobs(),
      (e: unknown) => `connect: ${String(e)}`,
    ),
    10_000,
    'listJobs: no answer in 10 s',
  ).catch((e: unknown) => `listJobs: ${String(e)}`);
  // The files read are closed at the end, after one more call into BITS, not
  // left to the garbage collector: then the next test that counted references
  // lost one when a collection came. This report runs after failures only: it
  // lists every job's files, and each listing releases its file enumerator right
  // after the last call on it, which hangs Wine's service now and then (README,
  // the rpcrt4 lost wake-up: 2 hangs in about 10 runs while a test ran this report
  // in every run).
  const files: BackgroundCopyFile[] = [];
  if (typeof jobs === 'string') lines.push(`  ${jobs}`);
  else {
    for (const job of jobs) {
      const names = job.listFiles().then((list) => {
        files.push(...list);
        return Promise.all(list.map((f) => f.getRemoteName()));
      });
      const about = Promise.all([job.getDisplayName(), job.getSnapshot(), names]).then(
        ([name, snap, remotes]) => `${job.id} '${name}' ${snap.state} ${snap.progress.bytesTransferred}/${String(snap.progress.bytesTotal)} bytes ${remotes.join(' ')}`,
        (e: unknown) => `${job.id} unreadable: ${String(e)}`,
      );
      lines.push(`  ${await within(about, 5_000, `${job.id}: no answer in 5 s`)}`);
      job.close();
    }
    await within(serviceGone(), 5_000, 'late');
  }
  for (const f of files) f.close();
  return lines.join('\n');
}

const NO_SUCH_JOB = '{00000000-0000-0000-0000-000000000000}';

/**
 * Null while the BITS service answers; else a sentence saying it is gone and the
 * usual cause. One cheap call: GetJob of an id that exists nowhere.
 */
export async function serviceGone(): Promise<string | null> {
  const e = await manager()
    .then((m) => m.getJob(NO_SUCH_JOB))
    .then(
      () => null,
      (err: unknown) => err,
    );
  if (!(e instanceof BitsError) || !e.disconnected) return null;
  const where = wine ? "Wine's BITS service" : 'The BITS service';
  return `${where} is gone (${e.code} in ${e.method}): an earlier test killed it or stopped it. Under Wine the usual cause is cancelling a job while it transfers (README, "Testing on Linux with Wine"); end the server's response first.`;
}

/** States of jobs that are over: Wine lists them for a while (README, Wine), Windows drops them. */
const ENDED: readonly JobState[] = ['acknowledged', 'cancelled'];

/** Every live job in the queue (all users' that we may see), by id: its name and state. */
export async function liveJobs(): Promise<Map<string, string>> {
  const live = new Map<string, string>();
  for (const job of await (await manager()).listJobs()) {
    const about = await Promise.all([job.getState(), job.getDisplayName()]).catch(() => null);
    job.close();
    // A job that went between the listing and the read is not live.
    if (about && !ENDED.includes(about[0])) live.set(job.id, `'${about[1]}' ${about[0]}`);
  }
  return live;
}

/**
 * What a test file left in BITS's queue: each live job that was not there before
 * it ran, or null when the queue is as the file found it. Counted by state, not
 * by the length of the list: Wine lists finished jobs for a while.
 */
export async function jobsLeftBehind(before: ReadonlyMap<string, string>): Promise<string | null> {
  const gone = await serviceGone();
  if (gone) return null; // reported by the next file's first test; the service took the jobs with it
  const left = [...(await liveJobs())].filter(([id]) => !before.has(id));
  if (left.length === 0) return null;
  return `${left.length} live job(s) left in BITS's queue by this file (each file must cancel or complete what it made):\n${left.map(([id, what]) => `  ${id} ${what}`).join('\n')}`;
}
