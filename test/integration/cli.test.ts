// The real `bits` process, run by Windows Node (under Wine on Linux) against real
// BITS: stdout, stderr and exit codes, the --json documents, and bad usage.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { beforeAll, describe, expect, onTestFailed, test } from 'vitest';

import { cliPath, fileFixture, manager, randomContent, runBits, tempFolder, waitForState, wine } from './helpers.js';
import type { CliOutput } from './helpers.js';

const { folder, serve } = fileFixture();
const a = randomContent(120_000);
const b = randomContent(80_000);
const server = serve({ 'a.bin': a, 'b.bin': b });

beforeAll(() => {
  expect(existsSync(cliPath), 'dist/ is built by npm run build').toBe(true);
});

const bits = (args: string[], env?: Record<string, string>): Promise<CliOutput> => runBits(folder.dir, args, env);

function json<T>(run: CliOutput): T {
  return JSON.parse(run.stdout) as T;
}

describe('bits CLI', () => {
  test('--help lists the commands, each command has help with examples', async () => {
    const top = await bits(['--help']);
    expect(top.code).toBe(0);
    for (const c of ['download', 'upload', 'list', 'info', 'monitor', 'create', 'add', 'set', 'resume', 'suspend', 'cancel', 'complete', 'wait']) expect(top.stdout).toContain(c);
    expect(top.stdout).toMatch(/Exit codes: 0 success, 1 transfer failed, 2 bad usage, 3 not supported/);
    const dl = await bits(['download', '--help']);
    expect(dl.code).toBe(0);
    expect(dl.stdout).toContain('Examples:');
    expect(dl.stdout).toContain('--password-env');
  });

  test('bad usage exits 2 with the help of that command', async () => {
    const one = await bits(['download', 'http://127.0.0.1/only-a-url']);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('give at least one URL and a destination');
    expect(one.stderr).toContain('Usage: bits download');
    expect((await bits(['frobnicate'])).code).toBe(2);
    expect((await bits(['download', '--priority', 'urgent', server.url('a.bin'), folder.dir])).code).toBe(2);
    const noPassword = await bits(['download', '--user', 'me', server.url('a.bin'), path.join(folder.dir, 'x.bin')]);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('--password-env');
    const dir = await bits(['download', 'http://[not-a-url', folder.dir]);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain('not a URL: http://[not-a-url');
    const asJson = await bits(['--json', 'set', '{00000000-0000-0000-0000-000000000001}']);
    expect(asJson.code).toBe(2);
    expect(json<{ error: { name: string } }>(asJson).error.name).toBe('UsageError');
  });

  test('download --json: one document with the documented shape, files intact', async () => {
    const dir = tempFolder();
    const run = await bits(['--json', 'download', '--priority', 'high', server.url('a.bin'), server.url('b.bin'), dir.dir]);
    expect(run.code, run.stderr).toBe(0);
    const doc = json<Record<string, unknown>>(run);
    expect(Object.keys(doc).sort()).toEqual(['bytesTransferred', 'durationMs', 'files', 'jobId', 'via']);
    expect(doc.via).toBe('bits'); // the README's JSON table: via says which path ran
    expect(doc.bytesTransferred).toBe(a.length + b.length);
    expect(readFileSync(path.join(dir.dir, 'a.bin')).equals(a)).toBe(true);
    expect(readFileSync(path.join(dir.dir, 'b.bin')).equals(b)).toBe(true);
    expect(run.stderr).toBe(''); // no progress bar off a terminal
    dir.cleanup();
  });

  test('create, add, resume, wait, complete, list and info, all as JSON', async () => {
    const created = json<{ jobId: string; type: string; state: string }>(await bits(['--json', 'create', 'cli flow']));
    expect(created).toMatchObject({ type: 'download', state: 'suspended' });
    const id = created.jobId;
    const dest = path.join(folder.dir, 'flow.bin');
    // A failure below cancels the job, so the file's queue check reports the failure, not a leftover.
    let done = false;
    onTestFailed(async () => {
      if (!done) await bits(['cancel', id]);
    });
    expect((await bits(['--json', 'add', id, server.url('a.bin'), dest])).code).toBe(0);
    const listed = json<{ jobs: Array<{ id: string; displayName: string; type: string; state: string; progress: object }> }>(await bits(['--json', 'list']));
    expect(listed.jobs.find((j) => j.id === id)).toMatchObject({ displayName: 'cli flow', type: 'download', state: 'suspended', progress: { filesTotal: 1 } });
    expect(json<{ outcome: string }>(await bits(['--json', 'resume', id])).outcome).toBe('resumed');
    const waited = await bits(['--json', 'wait', id, '--timeout', '60']);
    expect(waited.code, `${waited.stdout}${waited.stderr}`).toBe(0); // --json puts a failure's document on stdout
    expect(json<{ state: string }>(waited).state).toBe('transferred');
    const info = json<Record<string, unknown>>(await bits(['--json', 'info', id]));
    for (const key of ['id', 'displayName', 'type', 'state', 'progress', 'description', 'priority', 'owner', 'times', 'files', 'error', 'unavailable']) expect(info).toHaveProperty(key);
    expect(info.files).toEqual([expect.objectContaining({ remoteName: server.url('a.bin'), completed: true })]);
    // GetPriority, GetOwner, GetTimes: S_OK on Windows, so bits info lacks nothing
    if (wine) expect(info.unavailable).toEqual(expect.arrayContaining(['priority', 'owner', 'times']));
    else expect(info.unavailable).toEqual([]);
    expect(json<{ outcome: string }>(await bits(['--json', 'complete', id])).outcome).toBe('complete');
    done = true;
    expect(readFileSync(dest).equals(a)).toBe(true);
  });

  test('a failed transfer exits 1 and shows code, context and description; the password never shows', async () => {
    const secret = `pw-${Math.random().toString(36).slice(2)}`;
    const run = await bits(['download', '--user', 'me', '--password-env', 'BITS_TEST_SECRET', server.url('missing.bin'), path.join(folder.dir, 'missing.bin')], {
      BITS_TEST_SECRET: secret,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('BG_E_HTTP_ERROR_404');
    expect(run.stderr).toContain('context: remote-file');
    expect(run.stdout + run.stderr).not.toContain(secret);
    const asJson = await bits(['--json', 'info', '{00000000-0000-0000-0000-000000000001}']);
    expect(asJson.code).toBe(1);
    expect(json<{ error: { code: string; method: string } }>(asJson).error).toMatchObject({ code: 'BG_E_NOT_FOUND', method: 'IBackgroundCopyManager::GetJob' });
  });

  test('a method this BITS lacks exits 3 (suspend on Wine); on Windows it works', async () => {
    const id = json<{ jobId: string }>(await bits(['--json', 'create', 'cli suspend'])).jobId;
    const run = await bits(['--json', 'suspend', id]);
    // Suspend: S_OK for a job that is not CANCELLED or ACKNOWLEDGED, so bits suspend exits 0
    if (wine) {
      expect(run.code).toBe(3);
      expect(json<{ error: { code: string } }>(run).error.code).toBe('E_NOTIMPL');
    } else expect(run.code).toBe(0);
    expect((await bits(['cancel', id])).code).toBe(0);
  });

  test('--async prints the job id and returns; monitor off a terminal prints one snapshot', async () => {
    const run = await bits(['download', '--async', server.url('b.bin'), path.join(folder.dir, 'async.bin')]);
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    expect(id).toMatch(/^\{[0-9A-F-]{36}\}$/);
    const snap = json<{ time: string; jobs: Array<{ id: string }> }>(await bits(['--json', 'monitor', id]));
    expect(snap.jobs.map((j) => j.id)).toEqual([id]);
    const human = await bits(['monitor']);
    expect(human.stdout).toContain('STATE');
    expect(human.stdout).toContain(id);
    expect(human.stdout.includes('\u001b[')).toBe(false); // no colors off a terminal
    await bits(['cancel', id]);
  });

  test('set changes what it names and says so; a bad value exits 2 before BITS is asked', async () => {
    const id = json<{ jobId: string }>(await bits(['--json', 'create', 'cli set'])).jobId;
    for (const bad of [['--retry-delay', '1.5'], ['--priority', 'urgent'], ['--no-progress-timeout', 'soon'], []]) {
      const refused = await bits(['set', id, ...bad]);
      expect([bad, refused.code]).toEqual([bad, 2]);
    }
    const run = await bits(['--json', 'set', id, '--priority', 'low', '--description', 'set by the CLI', '--header', 'X-Cli: yes', '--retry-delay', '61', '--no-progress-timeout', '901']);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toEqual({ jobId: id, changed: ['priority', 'description', 'headers', 'minimumRetryDelay', 'noProgressTimeout'] });
    const info = json<{ description: string; customHeaders: string[]; minimumRetryDelay: number; noProgressTimeout: number }>(await bits(['--json', 'info', id]));
    expect(info).toMatchObject({ description: 'set by the CLI', customHeaders: ['X-Cli: yes'] });
    // Wine's setters accept these and keep their defaults (surface.test.ts).
    // SetMinimumRetryDelay (5 s at least), SetNoProgressTimeout: the getters read back the values set
    expect([info.minimumRetryDelay, info.noProgressTimeout]).toEqual(wine ? [30, 900] : [61, 901]);
    const human = await bits(['set', id, '--description', 'again']);
    expect(human.stdout.trim()).toBe(`set description on ${id}`);
    expect((await bits(['cancel', id])).code).toBe(0);
  });

  test('info shows the error of a job kept after a failure: code, context and the file', async () => {
    const failed = await bits(['--json', 'download', '--keep-on-error', server.url('missing.bin'), path.join(folder.dir, 'kept.bin')]);
    expect(failed.code).toBe(1);
    const id = json<{ error: { jobId: string } }>(failed).error.jobId;
    const info = await bits(['info', id]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/error\s+BG_E_HTTP_ERROR_404 \(0x80190194\) in remote-file/);
    expect(info.stdout).toContain(server.url('missing.bin'));
    expect((await bits(['cancel', id])).code).toBe(0); // in error, not transferring: safe under Wine too
  });

  test('upload: a missing file exits 2; a server without BITS uploads fails the job (exit 1); --async returns the id', async () => {
    const source = path.join(folder.dir, 'to-upload.bin');
    writeFileSync(source, b);
    const missing = await bits(['upload', path.join(folder.dir, 'nothing-here.bin'), server.url('up/x.bin')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    // The test file server speaks no BITS upload protocol (upload.test.ts has the real one).
    const refused = await bits(['--json', 'upload', source, server.url('up/refused.bin')]);
    expect(refused.code).toBe(1);
    const error = json<{ error: { name: string; jobId: string } }>(refused).error;
    expect(error.name).toBe('BitsError');
    expect(error.jobId).toMatch(/^\{[0-9A-F-]{36}\}$/);
    // The failed upload's job was cancelled, and Wine 8's Cancel deletes an upload
    // job's local file, the source (Windows leaves it): write it again.
    writeFileSync(source, b);
    const started = await bits(['--json', 'upload', '--async', source, server.url('up/async.bin')]);
    expect(started.code, started.stdout).toBe(0);
    const doc = json<{ jobId: string; files: Array<{ remoteUrl: string; localPath: string }> }>(started);
    expect(doc.files).toEqual([{ remoteUrl: server.url('up/async.bin'), localPath: source }]);
    const job = await (await manager()).getJob(doc.jobId);
    expect(await job.getType()).toBe('upload');
    expect(await waitForState(job, ['error', 'transferred'])).toBe('error');
    await job.cancel();
  });
});
