// The one-call transfers off Windows: with fallback 'when-unavailable' they run
// over plain HTTP with the platform's own paths and say so (`via`), and with
// 'never' they say why BITS cannot run instead of objecting to a POSIX path.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { HttpTransfer, UnsupportedPlatformError, download, startDownload, upload } from '../../lib/index.js';
import type { JobProgress } from '../../lib/index.js';
import { startServer } from '../support/http-server.js';
import type { TestServer } from '../support/http-server.js';

const a = randomBytes(300_000);
const b = randomBytes(70_000);
let server: TestServer;
const dir = mkdtempSync(path.join(tmpdir(), 'windows-bits-fallback-'));

beforeAll(async () => {
  server = await startServer({ 'a.bin': a, 'b.bin': b });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('off Windows', () => {
  test("'never' (the default) rejects with UnsupportedPlatformError and its reason, not a path RangeError", async () => {
    for (const options of [undefined, { fallback: 'never' as const }]) {
      const e = await download(server.url('a.bin'), path.join(dir, 'never.bin'), options).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(UnsupportedPlatformError);
      expect(e).toMatchObject({ reason: 'not-windows', platform: process.platform, code: 'ERR_BITS_UNSUPPORTED_PLATFORM' });
      expect((e as Error).message).toContain("fallback: 'when-unavailable'");
    }
    await expect(upload(path.join(dir, 'x'), server.url('up'))).rejects.toBeInstanceOf(UnsupportedPlatformError);
    await expect(startDownload(server.url('a.bin'), path.join(dir, 'x'))).rejects.toBeInstanceOf(UnsupportedPlatformError);
  });

  test('bad options are TypeError/RangeError before anything else, whatever the platform', async () => {
    await expect(download(server.url('a.bin'), path.join(dir, 'x'), { fallback: 'always' as never })).rejects.toBeInstanceOf(RangeError);
    await expect(download(server.url('a.bin'), path.join(dir, 'x'), { timeoutMs: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(download(server.url('a.bin'), 'relative.bin', { fallback: 'when-unavailable' })).rejects.toThrow(/absolute path of this platform/);
    await expect(download('ftp://h/a.bin', path.join(dir, 'x'), { fallback: 'when-unavailable' })).rejects.toThrow(/http: or https: URL/);
  });

  test("'when-unavailable' downloads over HTTP to a POSIX path, says via 'http' and why, and ignores the BITS-only options", async () => {
    const dest = path.join(dir, 'a.bin');
    const seen: JobProgress[] = [];
    const r = await download(server.url('a.bin'), dest, {
      fallback: 'when-unavailable',
      priority: 'low', // BITS-only: ignored here
      headers: { 'X-Trace': 'fallback-1' },
      onProgress: (p) => seen.push(p),
    });
    expect(r).toMatchObject({ via: 'http', jobId: null, bytesTransferred: a.length });
    if (r.via === 'http') expect(r.unavailable).toMatchObject({ available: false, reason: 'not-windows' });
    expect(readFileSync(dest).equals(a)).toBe(true);
    // The header reached the server, as BITS sends custom headers with each request.
    expect(server.requests.some((q) => q.path === '/a.bin' && q.headers['x-trace'] === 'fallback-1')).toBe(true);
    // Progress in BITS's shape, never going back, ending with everything transferred.
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.bytesTransferred).toBeGreaterThanOrEqual(seen[i - 1]!.bytesTransferred);
    expect(seen.at(-1)).toEqual({ bytesTotal: a.length, bytesTransferred: a.length, filesTotal: 1, filesTransferred: 1 });
  });

  test('several files go one after another; progress counts files as BITS does', async () => {
    const files = [
      { remoteUrl: server.url('a.bin'), localPath: path.join(dir, 'm-a.bin') },
      { remoteUrl: server.url('b.bin'), localPath: path.join(dir, 'm-b.bin') },
    ];
    const seen: JobProgress[] = [];
    const r = await download(files, { fallback: 'when-unavailable', onProgress: (p) => seen.push(p) });
    expect(r.bytesTransferred).toBe(a.length + b.length);
    expect(readFileSync(files[0]!.localPath).equals(a)).toBe(true);
    expect(readFileSync(files[1]!.localPath).equals(b)).toBe(true);
    expect(seen.some((p) => p.filesTransferred === 1 && p.bytesTransferred > a.length)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ filesTotal: 2, filesTransferred: 2, bytesTransferred: a.length + b.length });
  });

  test("startDownload with 'when-unavailable' returns an HttpTransfer whose done settles with the result", async () => {
    const dest = path.join(dir, 'started.bin');
    const started = await startDownload(server.url('b.bin'), dest, { fallback: 'when-unavailable' });
    expect(started).toBeInstanceOf(HttpTransfer);
    const t = started as HttpTransfer;
    expect(t.via).toBe('http');
    expect(await t.done).toMatchObject({ via: 'http', bytesTransferred: b.length });
    expect(readFileSync(dest).equals(b)).toBe(true);
  });

  test('an HttpTransfer aborted rejects done with AbortError', async () => {
    const slow = await startServer({ 'slow.bin': randomBytes(200_000) }, { bytesPerSecond: 20_000 });
    try {
      const t = (await startDownload(slow.url('slow.bin'), path.join(dir, 'aborted.bin'), { fallback: 'when-unavailable' })) as HttpTransfer;
      t.abort();
      const e = await t.done.catch((err: unknown) => err);
      expect(e).toMatchObject({ name: 'AbortError' });
    } finally {
      await slow.close();
    }
  });
});
