// Upload and upload-reply jobs. Wine's BITS has no upload protocol at all (it
// fetches the URL with GET instead): there the tests stop at what Wine does
// implement and assert its typed errors; on Windows they upload to a local server
// that speaks the BITS upload protocol.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { upload } from '../../lib/index.js';
import type { BackgroundCopyJob } from '../../lib/index.js';
import { startUploadServer } from '../support/bits-upload-server.js';
import type { UploadServer } from '../support/bits-upload-server.js';
import { cancelQuietly, manager, randomContent, realOrNotImplemented, tempFolder, wine } from './helpers.js';

const folder = tempFolder();
const content = randomContent(150_000);
const source = path.join(folder.dir, 'source.bin');
let server: UploadServer;
const created: BackgroundCopyJob[] = [];

beforeAll(async () => {
  writeFileSync(source, content);
  server = await startUploadServer((body) => Buffer.from(`got ${body.length} bytes`));
});
afterAll(async () => {
  await cancelQuietly(...created);
  await server.close();
  folder.cleanup();
});

describe('upload', () => {
  test('an upload job holds one file: Windows refuses a second with BG_E_TOO_MANY_FILES', async () => {
    const job = await (await manager()).createJob('upload one', 'upload');
    created.push(job);
    await job.addFile(server.url('a.bin'), source);
    expect((await job.getProgress()).filesTotal).toBe(1);
    const second = job.addFile(server.url('b.bin'), source);
    if (wine) {
      await second; // Wine does not enforce the limit (measured); upload() checks it itself
      expect((await job.getProgress()).filesTotal).toBe(2);
    } else {
      await expect(second).rejects.toMatchObject({ name: 'BitsError', code: 'BG_E_TOO_MANY_FILES' });
    }
    await expect(upload([source, source] as unknown as string, server.url('x'))).rejects.toBeInstanceOf(TypeError);
  });

  test('upload() sends the file, byte-identical (Windows); Wine has no upload protocol', async () => {
    if (wine) {
      // Measured: Wine never sends BITS_POST, so nothing can arrive.
      const job = await (await manager()).createJob('upload on wine', 'upload');
      created.push(job);
      await job.addFile(server.url('wine.bin'), source);
      await realOrNotImplemented(job.getReplyFileName(), () => undefined, 'IBackgroundCopyJob2::GetReplyFileName');
      expect(server.received.size).toBe(0);
      return;
    }
    const result = await upload(source, server.url('up.bin'), { pollIntervalMs: 50 });
    expect(result.bytesTransferred).toBe(content.length);
    expect(server.received.get('/up.bin')?.equals(content)).toBe(true);
  });

  test('upload-reply: reply data and reply file (Windows); E_NOTIMPL on Wine', async () => {
    const job = await (await manager()).createJob('upload reply', 'upload-reply');
    created.push(job);
    await job.addFile(server.url('reply.bin'), source);
    if (wine) {
      await realOrNotImplemented(job.getReplyData(), () => undefined, 'IBackgroundCopyJob2::GetReplyData');
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
  });
});
