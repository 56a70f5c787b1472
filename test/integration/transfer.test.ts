// Real transfers from an HTTP server this test starts on 127.0.0.1.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, test } from 'vitest';

import { download, startDownload, startUpload } from '../../lib/index.js';
import { fileFixture, manager, randomContent, realOrNotImplemented, waitForState, wine } from './helpers.js';

const big = randomContent(4 * 1024 * 1024 + 123);
const small = randomContent(70_000);
const { folder, created, createJob, serve } = fileFixture();
const server = serve({ 'big.bin': big, 'small.bin': small });

describe('transfers', () => {
  test('a 4 MB download completes and complete() leaves byte-identical content', async () => {
    const job = await createJob('download big');
    const dest = path.join(folder.dir, 'big.bin');
    await job.addFile(server.url('big.bin'), dest);
    expect((await job.getProgress()).filesTotal).toBe(1);
    await job.resume();
    expect(await waitForState(job, ['transferred', 'error'])).toBe('transferred');
    const progress = await job.getProgress();
    expect(progress.bytesTransferred).toBe(big.length);
    expect(progress.filesTransferred).toBe(1);
    // Wine never learns the total; Windows reports it.
    if (progress.bytesTotal !== null) expect(progress.bytesTotal).toBe(big.length);
    expect(existsSync(dest)).toBe(false); // only complete() moves it into place
    expect(await job.complete()).toBe('complete');
    expect(readFileSync(dest).equals(big)).toBe(true);
    expect(await job.getState()).toBe('acknowledged');
  });

  test('addFiles() adds several files in one call, all arrive intact', async () => {
    const job = await createJob('download two');
    const a = path.join(folder.dir, 'a.bin');
    const b = path.join(folder.dir, 'b.bin');
    await job.addFiles([
      { remoteUrl: server.url('small.bin'), localPath: a },
      { remoteUrl: server.url('big.bin'), localPath: b },
    ]);
    expect((await job.getProgress()).filesTotal).toBe(2);
    await job.resume();
    expect(await waitForState(job, ['transferred', 'error'])).toBe('transferred');
    await job.complete();
    expect(readFileSync(a).equals(small)).toBe(true);
    expect(readFileSync(b).equals(big)).toBe(true);
  });

  test('a 404 puts the job in error, and getError() says remote-file BG_E_HTTP_ERROR_404', async () => {
    const job = await createJob('download missing');
    const url = server.url('missing.bin');
    const dest = path.join(folder.dir, 'missing.bin');
    expect(await job.getError()).toBeNull();
    await job.addFile(url, dest);
    await job.resume();
    expect(await waitForState(job, ['error', 'transferred'])).toBe('error');
    const error = await job.getError();
    expect(error).toMatchObject({ context: 'remote-file', hresult: 0x80190194, code: 'BG_E_HTTP_ERROR_404' });
    expect(error?.message).toMatch(/\S/);
    expect(error?.file?.remoteName).toBe(url);
    expect(error?.file?.localName?.toLowerCase()).toBe(dest.toLowerCase());
  });

  test('resume() of a job without files is BG_E_EMPTY', async () => {
    const job = await createJob('empty');
    await expect(job.resume()).rejects.toMatchObject({ name: 'BitsError', code: 'BG_E_EMPTY', method: 'IBackgroundCopyJob::Resume' });
  });

  test('complete() of a download that transferred nothing keeps nothing; a second complete() is BG_E_INVALID_STATE', async () => {
    const job = await createJob('not yet');
    const dest = path.join(folder.dir, 'never.bin');
    await job.addFile(server.url('small.bin'), dest);
    await job.complete(); // allowed for downloads in any state but cancelled/acknowledged
    expect(existsSync(dest)).toBe(false);
    expect(await job.getState()).toBe('acknowledged');
    await expect(job.complete()).rejects.toMatchObject({ code: 'BG_E_INVALID_STATE', method: 'IBackgroundCopyJob::Complete' });
    await expect(job.resume()).rejects.toMatchObject({ code: 'BG_E_INVALID_STATE' });
  });
});

describe('one-call transfers: the options reach the job', () => {
  test('startDownload() sets each option on the job it makes, then the file arrives', async () => {
    const dest = path.join(folder.dir, 'options.bin');
    const job = await startDownload(server.url('small.bin'), dest, {
      displayName: 'with options',
      description: 'every option',
      priority: 'high',
      headers: { 'X-Windows-Bits-Test': 'options' },
      minimumRetryDelay: 61,
      noProgressTimeout: 901,
      maximumDownloadTime: 3600,
    });
    created.push(job);
    expect(await job.getDisplayName()).toBe('with options');
    expect(await job.getDescription()).toBe('every option');
    expect(await job.getCustomHeaders()).toEqual(['X-Windows-Bits-Test: options']);
    // Wine's setters accept these and keep their defaults (surface.test.ts).
    // SetMinimumRetryDelay: 5 s at least, so 61 s stands; GetMinimumRetryDelay reads it back
    expect(await job.getMinimumRetryDelay()).toBe(wine ? 30 : 61);
    // SetNoProgressTimeout: GetNoProgressTimeout reads back the period set
    expect(await job.getNoProgressTimeout()).toBe(wine ? 900 : 901);
    const job4 = await job.queryJob4();
    // SetMaximumDownloadTime: GetMaximumDownloadTime reads back the time set
    await realOrNotImplemented(job4.getMaximumDownloadTime(), (s) => expect(s).toBe(3600), 'IBackgroundCopyJob4::GetMaximumDownloadTime');
    await job.waitForTransfer({ pollIntervalMs: 50 });
    await job.complete();
    expect(readFileSync(dest).equals(small)).toBe(true);
    expect(server.requests.some((r) => r.path === '/small.bin' && r.headers['x-windows-bits-test'] === 'options')).toBe(true);
  });

  test('an option this BITS refuses fails the start, and the job made for it is cancelled', async () => {
    const dest = path.join(folder.dir, 'refused.bin');
    const displayName = `refused option ${process.pid}`;
    const e = await download(server.url('small.bin'), dest, { displayName, proxy: { usage: 'no-proxy' }, highPerformance: false, pollIntervalMs: 50 }).then(
      () => null,
      (err: unknown) => err,
    );
    // SetProxySettings: BG_JOB_PROXY_USAGE_NO_PROXY with NULL lists is S_OK; BITS_JOB_PROPERTY_ID: HIGH_PERFORMANCE may be set before files are added
    if (!wine) {
      // Windows takes both options: the download went through.
      expect(e).toBeNull();
      expect(readFileSync(dest).equals(small)).toBe(true);
      return;
    }
    expect(e).toMatchObject({ name: 'BitsError', code: 'E_NOTIMPL', method: 'IBackgroundCopyJob::SetProxySettings' });
    expect(existsSync(dest)).toBe(false);
    // Wine lists cancelled jobs for a while; Windows drops them at once.
    const left = await (await manager()).listJobs();
    const states = await Promise.all(left.map(async (j) => ((await j.getDisplayName()) === displayName ? j.getState() : null)));
    left.forEach((j) => j.close());
    expect(states.filter((s) => s !== null && s !== 'cancelled')).toEqual([]);
  });

  test('startUpload() returns the queued upload job at once', async () => {
    const source = path.join(folder.dir, 'up-source.bin');
    writeFileSync(source, small);
    const url = server.url('uploads/up.bin');
    const job = await startUpload(source, url, { displayName: 'one-call upload' });
    created.push(job);
    expect(await job.getType()).toBe('upload');
    const [file] = await job.listFiles();
    expect(await file!.getRemoteName()).toBe(url);
    expect((await file!.getLocalName()).toLowerCase()).toBe(source.toLowerCase());
    // This server has no BITS upload support: Windows refuses it, Wine GETs the
    // URL and gets a 404 (upload.test.ts uploads to the real upload server).
    expect(await waitForState(job, ['error', 'transferred'])).toBe('error');
  });
});
