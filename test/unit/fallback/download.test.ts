// The plain-HTTP download of the fallback path, on host Node against a server
// that behaves as RFC 9110 describes (download-server.ts). The expectations come
// from the RFC (Range, If-Range, 206/416, Retry-After), from BITS's error names
// (0x80190000 + status) and from the rules: a file appears under its name
// only whole, a partial is resumed only for the same entity.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { AbortError, BitsError, TimeoutError } from '../../../lib/errors.js';
import { httpDownload } from '../../../lib/fallback/http-download.js';
import type { HttpProgress } from '../../../lib/fallback/http-download.js';
import { startFileServer } from './download-server.js';
import type { FileServer } from './download-server.js';

let server: FileServer;
let dir: string;
beforeEach(async () => {
  server = await startFileServer();
  dir = mkdtempSync(path.join(tmpdir(), 'bits-fallback-'));
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const MiB = 1024 * 1024;
const ETAG = '"v1"';
const LAST_MODIFIED = 'Wed, 01 Jan 2025 00:00:00 GMT';

/** Starts a throttled download and aborts it once `atLeast` bytes are on disk; returns the partial's size. */
async function abortMidway(name: string, dest: string, atLeast: number): Promise<number> {
  server.chunkDelayMs = 20;
  const controller = new AbortController();
  const failure = await httpDownload(server.url(name), dest, {
    signal: controller.signal,
    onProgress: (p) => {
      if (p.bytesTransferred >= atLeast) controller.abort();
    },
  }).catch((e: unknown) => e);
  server.chunkDelayMs = 0;
  expect(failure).toBeInstanceOf(AbortError);
  return statSync(`${dest}.partial`).size;
}

describe('httpDownload', () => {
  test('delivers the whole file under its name, and nothing beside it', async () => {
    const body = randomBytes(3 * MiB + 17);
    server.set('a.bin', { body, etag: ETAG });
    const dest = path.join(dir, 'a.bin');
    const result = await httpDownload(server.url('a.bin'), dest);
    expect(result).toEqual({ bytesTransferred: body.length, bytesTotal: body.length });
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(existsSync(`${dest}.partial`)).toBe(false);
    expect(existsSync(`${dest}.partial.json`)).toBe(false);
    // Accept-Encoding identity: a range of a compressed representation would not be a range of the file (RFC 9110 14.1.1).
    expect(server.log[0]?.headers['accept-encoding']).toBe('identity');
  });

  test('an abort keeps the partial file, and the next call fetches only the rest (Range + If-Range)', async () => {
    const body = randomBytes(8 * MiB);
    server.set('b.bin', { body, etag: ETAG });
    const dest = path.join(dir, 'b.bin');
    const kept = await abortMidway('b.bin', dest, 2 * MiB);
    expect(kept).toBeGreaterThanOrEqual(2 * MiB);
    expect(kept).toBeLessThan(body.length);
    expect(existsSync(dest)).toBe(false);
    const before = server.log.length;
    await httpDownload(server.url('b.bin'), dest);
    const resume = server.log[before];
    expect(resume?.headers.range).toBe(`bytes=${kept}-`);
    expect(resume?.headers['if-range']).toBe(ETAG);
    expect(resume?.status).toBe(206);
    expect(resume?.bytes).toBe(body.length - kept);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  test('resumes with Last-Modified as the validator when there is no ETag', async () => {
    const body = randomBytes(6 * MiB);
    server.set('lm.bin', { body, lastModified: LAST_MODIFIED });
    const dest = path.join(dir, 'lm.bin');
    const kept = await abortMidway('lm.bin', dest, MiB);
    const before = server.log.length;
    await httpDownload(server.url('lm.bin'), dest);
    expect(server.log[before]?.headers['if-range']).toBe(LAST_MODIFIED);
    expect(server.log[before]?.bytes).toBe(body.length - kept);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  test('an ETag that changed between the two calls starts over, and progress never goes back', async () => {
    const old = randomBytes(6 * MiB);
    server.set('c.bin', { body: old, etag: ETAG });
    const dest = path.join(dir, 'c.bin');
    const kept = await abortMidway('c.bin', dest, 2 * MiB);
    const fresh = randomBytes(5 * MiB);
    server.set('c.bin', { body: fresh, etag: '"v2"' });
    const before = server.log.length;
    const seen: HttpProgress[] = [];
    server.chunkDelayMs = 2;
    await httpDownload(server.url('c.bin'), dest, { onProgress: (p) => seen.push(p) });
    // If-Range with the old ETag: the server sends the whole new entity (RFC 9110 13.1.5).
    expect(server.log[before]?.headers['if-range']).toBe(ETAG);
    expect(server.log[before]?.status).toBe(200);
    expect(server.log[before]?.bytes).toBe(fresh.length);
    expect(readFileSync(dest).equals(fresh)).toBe(true);
    const counts = seen.map((p) => p.bytesTransferred);
    expect(counts[0]).toBeGreaterThanOrEqual(kept > fresh.length ? 0 : 0);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1] as number);
    expect(seen.at(-1)).toEqual({ bytesTransferred: fresh.length, bytesTotal: fresh.length });
  });

  test('a server that ignores Range starts over and the file is still right', async () => {
    const body = randomBytes(6 * MiB);
    server.set('d.bin', { body, etag: ETAG });
    const dest = path.join(dir, 'd.bin');
    await abortMidway('d.bin', dest, MiB);
    server.set('d.bin', { body, etag: ETAG, ranges: false });
    const before = server.log.length;
    await httpDownload(server.url('d.bin'), dest);
    expect(server.log[before]?.headers.range).toBeDefined();
    expect(server.log[before]?.status).toBe(200);
    expect(server.log[before]?.bytes).toBe(body.length);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  test('404 rejects with BG_E_HTTP_ERROR_404 and leaves no partial file, also one left by an earlier call', async () => {
    const dest = path.join(dir, 'missing.bin');
    const e = await httpDownload(server.url('missing.bin'), dest).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BitsError);
    // BITS reports HTTP statuses as 0x80190000 + status (Microsoft's BITS return values page).
    expect(e).toMatchObject({ code: 'BG_E_HTTP_ERROR_404', hresult: 0x80190194, context: 'remote-file' });
    expect(existsSync(`${dest}.partial`)).toBe(false);
    expect(existsSync(dest)).toBe(false);
    // Not retried: 4xx other than 408 and 409 are fatal for BITS.
    expect(server.log.filter((l) => l.path === 'missing.bin')).toHaveLength(1);

    server.set('gone.bin', { body: randomBytes(4 * MiB), etag: ETAG });
    const gone = path.join(dir, 'gone.bin');
    await abortMidway('gone.bin', gone, MiB);
    server.queue('gone.bin', (_req, res) => res.writeHead(404, { 'Content-Length': '0' }).end());
    await expect(httpDownload(server.url('gone.bin'), gone)).rejects.toMatchObject({ code: 'BG_E_HTTP_ERROR_404' });
    expect(existsSync(`${gone}.partial`)).toBe(false);
    expect(existsSync(`${gone}.partial.json`)).toBe(false);
  });

  test('progress is monotonic and ends at the size', async () => {
    const body = randomBytes(4 * MiB);
    server.set('p.bin', { body, etag: ETAG });
    server.chunkDelayMs = 20;
    const seen: HttpProgress[] = [];
    await httpDownload(server.url('p.bin'), path.join(dir, 'p.bin'), { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]?.bytesTransferred).toBeGreaterThan(seen[i - 1]?.bytesTransferred as number);
    expect(seen.every((p) => p.bytesTotal === body.length)).toBe(true);
    expect(seen.at(-1)?.bytesTransferred).toBe(body.length);
  });

  test('20 concurrent downloads all finish with the right bytes', async () => {
    const bodies = Array.from({ length: 20 }, () => randomBytes(MiB + Math.floor(Math.random() * 1000)));
    bodies.forEach((body, i) => server.set(`n${i}.bin`, { body, etag: `"n${i}"` }));
    const results = await Promise.all(bodies.map((_, i) => httpDownload(server.url(`n${i}.bin`), path.join(dir, `n${i}.bin`))));
    results.forEach((r, i) => expect(r.bytesTotal).toBe(bodies[i]?.length));
    bodies.forEach((body, i) => expect(readFileSync(path.join(dir, `n${i}.bin`)).equals(body)).toBe(true));
  });

  test("Retry-After is honoured: the retry waits the server's seconds, not the backoff", async () => {
    const body = randomBytes(64 * 1024);
    server.set('r.bin', { body, etag: ETAG });
    server.queue('r.bin', (_req, res) => res.writeHead(503, { 'Retry-After': '1', 'Content-Length': '0' }).end());
    // Backoff alone would retry at once (baseDelayMs 0), so a one-second gap is the server's Retry-After.
    await httpDownload(server.url('r.bin'), path.join(dir, 'r.bin'), { retry: { baseDelayMs: 0 } });
    const [first, second] = server.log.filter((l) => l.path === 'r.bin');
    expect(first?.status).toBe(503);
    expect(second?.status).toBe(200);
    expect((second?.at as number) - (first?.at as number)).toBeGreaterThanOrEqual(990);
    expect(readFileSync(path.join(dir, 'r.bin')).equals(body)).toBe(true);
  });

  test('a Retry-After longer than maxDelayMs is capped, so a server cannot stall the transfer for an hour', async () => {
    server.set('cap.bin', { body: randomBytes(1000), etag: ETAG });
    server.queue('cap.bin', (_req, res) => res.writeHead(429, { 'Retry-After': '3600', 'Content-Length': '0' }).end());
    const started = Date.now();
    await httpDownload(server.url('cap.bin'), path.join(dir, 'cap.bin'), { retry: { maxDelayMs: 200 } });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(server.log.filter((l) => l.path === 'cap.bin').map((l) => l.status)).toEqual([429, 200]);
  });

  test('a body shorter than its Content-Length is never renamed into place', async () => {
    const body = randomBytes(2 * MiB);
    server.set('s.bin', { body, etag: ETAG });
    const short = (_req: unknown, res: import('node:http').ServerResponse): void => {
      res.writeHead(200, { 'Content-Length': String(body.length), ETag: ETAG, 'Accept-Ranges': 'bytes' });
      res.write(body.subarray(0, MiB), () => res.destroy());
    };
    server.queue('s.bin', short);
    server.queue('s.bin', short);
    const dest = path.join(dir, 's.bin');
    const e = await httpDownload(server.url('s.bin'), dest, { retry: { attempts: 1, baseDelayMs: 0 } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BitsError);
    expect(e).toMatchObject({ code: 'BG_E_CONNECTION_CLOSED', context: 'general-transport' });
    expect(existsSync(dest)).toBe(false);
    expect(statSync(`${dest}.partial`).size).toBeLessThanOrEqual(MiB);
    // The bytes that did arrive are kept and the next call completes from them.
    const kept = statSync(`${dest}.partial`).size;
    const before = server.log.length;
    await httpDownload(server.url('s.bin'), dest);
    expect(server.log[before]?.headers.range).toBe(`bytes=${kept}-`);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  test('a transient 500 is retried; a 403 is not', async () => {
    server.set('t.bin', { body: randomBytes(1000), etag: ETAG });
    server.queue('t.bin', (_req, res) => res.writeHead(500, { 'Content-Length': '0' }).end());
    await httpDownload(server.url('t.bin'), path.join(dir, 't.bin'), { retry: { baseDelayMs: 1 } });
    expect(server.log.filter((l) => l.path === 't.bin').map((l) => l.status)).toEqual([500, 200]);

    server.set('f.bin', { body: randomBytes(1000), etag: ETAG });
    server.queue('f.bin', (_req, res) => res.writeHead(403, { 'Content-Length': '0' }).end());
    await expect(httpDownload(server.url('f.bin'), path.join(dir, 'f.bin'), { retry: { baseDelayMs: 1 } })).rejects.toMatchObject({ code: 'BG_E_HTTP_ERROR_403', hresult: 0x80190193 });
    expect(server.log.filter((l) => l.path === 'f.bin')).toHaveLength(1);
  });

  test('timeoutMs rejects with TimeoutError and keeps the partial', async () => {
    server.set('slow.bin', { body: randomBytes(16 * MiB), etag: ETAG });
    server.chunkDelayMs = 20;
    const dest = path.join(dir, 'slow.bin');
    const e = await httpDownload(server.url('slow.bin'), dest, { timeoutMs: 300 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TimeoutError);
    expect(existsSync(`${dest}.partial`)).toBe(true);
    expect(existsSync(`${dest}.partial.json`)).toBe(true);
    expect(existsSync(dest)).toBe(false);
  });

  test('a refused connection is BG_E_CONNECT_FAILURE after the retries', async () => {
    const url = server.url('x.bin');
    await server.close();
    const e = await httpDownload(url, path.join(dir, 'x.bin'), { retry: { attempts: 2, baseDelayMs: 1 } }).catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'BitsError', code: 'BG_E_CONNECT_FAILURE', context: 'general-transport' });
    server = await startFileServer();
  });

  test('extra headers are sent, and their values stay out of the error', async () => {
    server.queue('h.bin', (_req, res) => res.writeHead(401, { 'Content-Length': '0' }).end());
    const e = await httpDownload(server.url('h.bin'), path.join(dir, 'h.bin'), { headers: { Authorization: 'Bearer s3cr3t-token' } }).catch((x: unknown) => x);
    expect(server.log[0]?.headers.authorization).toBe('Bearer s3cr3t-token');
    expect(e).toMatchObject({ code: 'BG_E_HTTP_ERROR_401' });
    expect(JSON.stringify({ ...(e as object), message: (e as Error).message })).not.toContain('s3cr3t');
  });

  test('bad arguments are TypeError or RangeError before any request', async () => {
    await expect(httpDownload(42 as unknown as string, path.join(dir, 'z'))).rejects.toBeInstanceOf(TypeError);
    await expect(httpDownload('ftp://example.com/a', path.join(dir, 'z'))).rejects.toBeInstanceOf(RangeError);
    await expect(httpDownload(server.url('z'), '')).rejects.toBeInstanceOf(TypeError);
    await expect(httpDownload(server.url('z'), path.join(dir, 'z'), { timeoutMs: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(httpDownload(server.url('z'), path.join(dir, 'z'), { headers: { 'bad name': 'x' } })).rejects.toBeInstanceOf(RangeError);
    expect(server.log).toHaveLength(0);
  });
});
