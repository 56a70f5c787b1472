// The upload client against windows-bits/upload-server (in this process): plain
// upload, upload-reply, and a server restarted mid-upload on the same folder,
// which the client rides out by retrying and going on from the server's
// BITS-Received-Content-Range ([MC-BUP] 3.1.5.2.4), in the same session.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, expect, test } from 'vitest';

import { httpUpload } from '../../../lib/fallback/upload-client.js';
import type { HttpProgress } from '../../../lib/fallback/http-download.js';
import { createUploadServer } from '../../../lib/upload-server/index.js';
import type { UploadEvent, UploadServerOptions } from '../../../lib/upload-server/index.js';
import { until } from '../../support/upload-fixture.js';

let work: string;
let serverDir: string;
const servers: Server[] = [];
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'bits-upc-'));
  serverDir = mkdtempSync(path.join(tmpdir(), 'bits-ups-'));
});
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  rmSync(work, { recursive: true, force: true });
  rmSync(serverDir, { recursive: true, force: true });
});

async function serve(events: UploadEvent[], options: Partial<UploadServerOptions> = {}, port = 0): Promise<number> {
  const server = createUploadServer({ directory: serverDir, ...options, onEvent: (e) => events.push(e) });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const MiB = 1024 * 1024;

test('uploads a file that the server stores byte for byte, with monotonic progress', async () => {
  const events: UploadEvent[] = [];
  const port = await serve(events);
  const data = randomBytes(5 * MiB + 11);
  const local = path.join(work, 'data.bin');
  writeFileSync(local, data);
  const seen: HttpProgress[] = [];
  const result = await httpUpload(`http://127.0.0.1:${port}/up/data.bin`, local, { fragmentSize: MiB, onProgress: (p) => seen.push(p) });
  expect(result).toEqual({ bytesTransferred: data.length, bytesTotal: data.length });
  expect(readFileSync(path.join(serverDir, 'up', 'data.bin')).equals(data)).toBe(true);
  expect(events.map((e) => e.type)).toContain('session-closed');
  for (let i = 1; i < seen.length; i++) expect(seen[i]?.bytesTransferred).toBeGreaterThan(seen[i - 1]?.bytesTransferred as number);
  expect(seen.at(-1)).toEqual({ bytesTransferred: data.length, bytesTotal: data.length });
}, 30_000);

test('upload-reply: the reply of onUpload is stored at replyPath', async () => {
  const events: UploadEvent[] = [];
  const port = await serve(events, { onUpload: (u) => ({ reply: Buffer.from(`got ${u.size} bytes`) }) });
  const local = path.join(work, 'r.bin');
  writeFileSync(local, randomBytes(300_000));
  const replyPath = path.join(work, 'reply.txt');
  const result = await httpUpload(`http://127.0.0.1:${port}/up/r.bin`, local, { replyPath });
  expect(result.replyPath).toBe(replyPath);
  expect(readFileSync(replyPath, 'utf8')).toBe('got 300000 bytes');
}, 30_000);

test('a server restarted mid-upload: the client retries and goes on in the same session', async () => {
  const first: UploadEvent[] = [];
  const port = await serve(first);
  const data = randomBytes(16 * MiB);
  const local = path.join(work, 'big.bin');
  writeFileSync(local, data);
  const upload = httpUpload(`http://127.0.0.1:${port}/up/big.bin`, local, { fragmentSize: 64 * 1024, retry: { attempts: 50, baseDelayMs: 20, maxDelayMs: 200 } });
  await until(() => first.filter((e) => e.type === 'fragment').length >= 20, 'twenty fragments acked');
  // Stop the server with connections cut, then start another on the same port and folder.
  const old = servers.pop() as Server;
  old.closeAllConnections();
  await new Promise((r) => old.close(r));
  const second: UploadEvent[] = [];
  await serve(second, {}, port);
  const result = await upload;
  expect(result.bytesTransferred).toBe(data.length);
  expect(readFileSync(path.join(serverDir, 'up', 'big.bin')).equals(data)).toBe(true);
  // One session over both servers: the second continued it, and was sent only what it lacked.
  expect(first.filter((e) => e.type === 'session-created')).toHaveLength(1);
  expect(second.filter((e) => e.type === 'session-created')).toHaveLength(0);
  const resumedAt = second.find((e) => e.type === 'fragment')?.received as number;
  const lastBefore = first.filter((e) => e.type === 'fragment').at(-1)?.received as number;
  expect(resumedAt).toBeGreaterThan(lastBefore);
  expect(resumedAt - lastBefore).toBeLessThanOrEqual(2 * 64 * 1024);
}, 60_000);
