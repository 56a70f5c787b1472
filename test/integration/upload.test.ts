// Upload and upload-reply jobs against the package's own upload server
// (windows-bits/upload-server, on 127.0.0.1). On Windows, real BITS uploads to
// it end to end. Wine's BITS has no upload protocol at all (measured: it never
// sends BITS_POST, it GETs the URL); there the tests resume the job and assert
// what Wine does do, and its typed E_NOTIMPL errors where it lacks a method.
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { beforeAll, describe, expect, test } from 'vitest';

import { upload } from '../../lib/index.js';
import { acceptBitsPost, createUploadHandler } from '../../lib/upload-server/index.js';
import type { UploadEvent } from '../../lib/upload-server/index.js';
import { BitsClient } from '../support/bits-client.js';
import { fileFixture, randomContent, realOrNotImplemented, tempFolder, waitForState, wine } from './helpers.js';

const { folder, createJob, onTeardown } = fileFixture();
const received = tempFolder();
const content = randomContent(150_000);
const source = path.join(folder.dir, 'source.bin');
const requests: Array<{ method: string; bitsPost: boolean; url: string }> = [];
const events: UploadEvent[] = [];
let server: Server;
let base = '';
const url = (name: string): string => `${base}/${name}`;

beforeAll(async () => {
  writeFileSync(source, content);
  const handler = createUploadHandler({
    directory: received.dir,
    // Only the upload-reply test's file gets a reply: a plain upload's acks carry no BITS-Reply-URL.
    onUpload: (u) => (path.basename(u.path).startsWith('reply') ? { reply: Buffer.from(`got ${u.size} bytes`) } : undefined),
    onEvent: (e) => events.push(e),
  });
  // Every request is recorded (the marker shows a BITS_POST after acceptBitsPost's rewrite).
  server = acceptBitsPost(
    createServer((req, res) => {
      requests.push({ method: req.method ?? '', bitsPost: req.headers['x-bits-method'] === 'BITS_POST', url: req.url ?? '' });
      handler(req, res);
    }),
  );
  server.keepAliveTimeout = 0; // Wine GETs the URL: idle connections stay open, as in range-server.mjs
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
onTeardown(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
onTeardown(() => received.cleanup());

/** Finished files in the upload directory (its hidden sessions folder left out). */
const finishedFiles = (): string[] => events.filter((e) => e.type === 'upload-finished').map((e) => path.basename(e.path ?? ''));

describe('upload', () => {
  test('an upload job holds one file: Windows refuses a second with BG_E_TOO_MANY_FILES', async () => {
    const job = await createJob('upload one', 'upload');
    await job.addFile(url('a.bin'), source);
    expect((await job.getProgress()).filesTotal).toBe(1);
    const second = job.addFile(url('b.bin'), source);
    // AddFile: an upload job holds one file; BG_E_TOO_MANY_FILES for a second
    if (wine) {
      await second; // Wine does not enforce the limit (measured); upload() checks it itself
      expect((await job.getProgress()).filesTotal).toBe(2);
    } else {
      await expect(second).rejects.toMatchObject({ name: 'BitsError', code: 'BG_E_TOO_MANY_FILES' });
    }
    await expect(upload([source, source] as unknown as string, url('x'))).rejects.toBeInstanceOf(TypeError);
  });

  // Under Wine upload() cannot run (its BITS has no upload protocol): the test there
  // is named for what it checks, and the next one moves the bytes Wine cannot.
  // [MC-BUP] 3.1: an upload job sends the file in BITS_POST packets (Windows); Wine GETs the URL instead
  test(wine ? "Wine's BITS GETs an upload job's URL (no BITS_POST): the upload server answers 404 and keeps nothing" : 'upload() sends the file, byte-identical', async () => {
    // [MC-BUP] Create-Session, Fragment, Close-Session: the client's BITS_POST packets that carry the whole file
    if (wine) {
      const job = await createJob('upload on wine', 'upload');
      await job.addFile(url('wine.bin'), source);
      await job.resume();
      // Measured under Wine 8: it fetches the URL with GET (no upload protocol); the handler
      // answers a GET that is no reply download with 404, so the job ends in ERROR.
      expect(await waitForState(job, ['error', 'transferred'])).toBe('error');
      expect(await job.getError()).toMatchObject({ code: 'BG_E_HTTP_ERROR_404', context: 'remote-file' });
      const forWine = requests.filter((r) => r.url === '/wine.bin');
      expect(forWine.length).toBeGreaterThan(0);
      expect(forWine.map((r) => r.method)).toEqual(forWine.map(() => 'GET'));
      expect(forWine.filter((r) => r.bitsPost)).toEqual([]);
      expect(events.filter((e) => e.type === 'session-created')).toEqual([]);
      expect(finishedFiles()).toEqual([]);
      return;
    }
    const result = await upload(source, url('up.bin'), { pollIntervalMs: 50 });
    expect(result.bytesTransferred).toBe(content.length);
    expect(readFileSync(path.join(received.dir, 'up.bin')).equals(content)).toBe(true);
    expect(requests.some((r) => r.bitsPost && r.url === '/up.bin')).toBe(true);
    expect(events.filter((e) => e.type === 'callback-failed' || (e.type === 'refused' && e.status !== 416))).toEqual([]);
  });

  test("the file reaches the upload server byte-identical from Windows Node's HTTP client speaking the BITS Upload Protocol", async () => {
    // The client is written from [MC-BUP] and Microsoft's "BITS Upload Protocol"
    // pages (test/support/bits-client.ts), not from the server: Create-Session,
    // Fragments of 64 KiB, Close-Session, over a keep-alive connection as BITS uses.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const client = new BitsClient(base, { agent });
    const { acks } = await client.upload('/by-protocol.bin', content);
    agent.destroy();
    // [MC-BUP]: the server answers each Fragment packet with an Ack packet (200, BITS-Packet-Type: Ack).
    expect(acks.every((a) => a.status === 200 && a.headers['bits-packet-type'] === 'Ack')).toBe(true);
    expect(readFileSync(path.join(received.dir, 'by-protocol.bin')).equals(content)).toBe(true);
    expect(requests.filter((r) => r.url === '/by-protocol.bin').every((r) => r.bitsPost)).toBe(true);
    expect(finishedFiles()).toContain('by-protocol.bin');
  });

  test('upload-reply: reply data and reply file (Windows); E_NOTIMPL on Wine', async () => {
    const job = await createJob('upload reply', 'upload-reply');
    await job.addFile(url('reply.bin'), source);
    // GetReplyData, GetReplyProgress: the reply of an upload-reply job, once TRANSFERRED
    if (wine) {
      // GetReplyData: Wine stubs it (the Windows half is below)
      await realOrNotImplemented(job.getReplyData(), () => undefined, 'IBackgroundCopyJob2::GetReplyData');
      // GetReplyProgress: Wine stubs it (the Windows half is below)
      await realOrNotImplemented(job.getReplyProgress(), () => undefined, 'IBackgroundCopyJob2::GetReplyProgress');
      return;
    }
    const replyFile = path.join(folder.dir, 'reply.txt');
    await job.setReplyFileName(replyFile);
    await job.resume();
    await job.waitForTransfer({ pollIntervalMs: 50 });
    expect((await job.getReplyData()).toString()).toBe(`got ${content.length} bytes`);
    await job.complete();
    expect(readFileSync(replyFile, 'utf8')).toBe(`got ${content.length} bytes`);
    expect(readFileSync(path.join(received.dir, 'reply.bin')).equals(content)).toBe(true);
    expect(requests.some((r) => r.method === 'GET' && r.url.includes('/.bits-reply/'))).toBe(true);
  });
});
