// Concurrency: packets of one session take turns, sessions do not wait for each
// other, and 20 uploads at once all arrive intact. Plus Express-style mounting
// in a minimal connect-style app, with the reply URL keeping the mount prefix.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import { acceptBitsPost, createUploadHandler } from '../../../lib/upload-server/index.js';
import { BitsClient } from '../../support/bits-client.js';
import { startUploads, tempDir, until } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

let u: Uploads | undefined;
afterEach(async () => {
  await u?.close();
  u = undefined;
});

/** Starts a Fragment whose body is only half sent; `finish()` sends the rest. */
function halfFragment(port: number, session: string, data: Buffer, total: number): { req: ClientRequest; answer: Promise<IncomingMessage>; finish(): void } {
  const req = request({
    host: '127.0.0.1',
    port,
    path: '/slow.bin',
    method: 'BITS_POST',
    agent: false,
    headers: { 'BITS-Packet-Type': 'Fragment', 'BITS-Session-Id': session, 'Content-Range': `bytes 0-${data.length - 1}/${total}`, 'Content-Length': String(data.length) },
  });
  const answer = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res);
    });
    req.on('error', reject);
  });
  req.write(data.subarray(0, data.length >> 1));
  return { req, answer, finish: () => req.end(data.subarray(data.length >> 1)) };
}

describe('concurrency', () => {
  test("a session's packets take turns: a Close-Session waits for the Fragment in progress", async () => {
    u = await startUploads();
    const id = await u.client.create('/slow.bin');
    // The handler is the server's first 'request' listener: once ours runs (and a turn
    // of the event loop passes), the handler has taken the packet to its session's lock.
    const arrived: string[] = [];
    u.server.on('request', (req: IncomingMessage) => arrived.push(String(req.headers['bits-packet-type'])));
    const slow = halfFragment(u.port, id, randomBytes(200_000), 400_000);
    await until(() => arrived.includes('Fragment'), 'the fragment to arrive');
    await new Promise((r) => setImmediate(r));
    const order: string[] = [];
    const fragmentDone = slow.answer.then((res) => order.push(`fragment ${res.statusCode}`));
    const closeDone = u.client.close('/slow.bin', id).then((a) => order.push(`close ${a.status}`));
    await until(() => arrived.includes('Close-Session'), 'the close to arrive');
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    slow.finish();
    await Promise.all([fragmentDone, closeDone]);
    expect(order).toEqual(['fragment 200', 'close 200']);
    expect(u.sessions()).toEqual([]);
  });

  test('sessions do not block each other: a whole upload completes while another fragment is stalled', async () => {
    u = await startUploads();
    const stalledId = await u.client.create('/slow.bin');
    const slow = halfFragment(u.port, stalledId, randomBytes(100_000), 100_000);
    const content = randomBytes(300_000);
    await u.client.upload('/fast.bin', content, 50_000);
    expect(readFileSync(path.join(u.dir, 'fast.bin')).equals(content)).toBe(true);
    expect(u.files()).toEqual(['fast.bin']); // the stalled one is not finished
    slow.finish();
    expect((await slow.answer).statusCode).toBe(200);
    expect(u.files().sort()).toEqual(['fast.bin', 'slow.bin']);
  });

  test('20 sessions at once, each over its own connection, all byte-identical', async () => {
    u = await startUploads();
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    const client = new BitsClient(u.base, { agent });
    const contents = Array.from({ length: 20 }, (_, i) => randomBytes(100_000 + i * 1000));
    const results = await Promise.all(contents.map((c, i) => client.upload(`/many-${i}.bin`, c, 16_384)));
    agent.destroy();
    expect(new Set(results.map((r) => r.session)).size).toBe(20);
    contents.forEach((c, i) => expect(readFileSync(path.join(u!.dir, `many-${i}.bin`)).equals(c)).toBe(true));
    expect(u.sessions()).toEqual([]);
  });
});

describe('Express-style mounting', () => {
  test('app.use("/uploads", handler) in a connect-style app: prefix stripped, reply URL keeps it, other routes still served', async () => {
    const dir = tempDir();
    const handler = createUploadHandler({ directory: dir, onUpload: (up) => ({ reply: Buffer.from(`stored ${path.basename(up.path)}`) }) });
    const passedOn: string[] = [];
    // What app.use('/uploads', handler) does: strip the prefix, keep originalUrl, call next() when unhandled.
    const app = (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse): void => {
      const notFound = (): void => {
        passedOn.push(`${req.method ?? ''} ${req.originalUrl ?? req.url ?? ''}`);
        res.writeHead(404).end('no route');
      };
      if (req.url === '/health') return void res.end('ok');
      if (req.url?.startsWith('/uploads/')) {
        req.originalUrl = req.url;
        req.url = req.url.slice('/uploads'.length);
        return handler(req, res, notFound);
      }
      notFound();
    };
    const server = acceptBitsPost(createServer(app));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const client = new BitsClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const content = randomBytes(40_000);
      const { acks, reply } = await client.upload('/uploads/m.bin', content, 15_000);
      expect(acks.at(-1)?.headers['bits-reply-url']).toMatch(/^\/uploads\/\.bits-reply\/[0-9a-f-]{36}$/);
      expect(reply?.toString()).toBe('stored m.bin');
      expect(readFileSync(path.join(dir, 'm.bin')).equals(content)).toBe(true);
      expect((await client.send('GET', '/health', {})).body.toString()).toBe('ok');
      expect((await client.send('GET', '/uploads/other', {})).status).toBe(404);
      expect((await client.send('POST', '/uploads/m.bin', {}, Buffer.from('x'))).status).toBe(404);
      expect(passedOn).toEqual(['GET /uploads/other', 'POST /uploads/m.bin']);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
