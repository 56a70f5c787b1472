// When the disk or the app around the handler gets in the way: a sessions folder
// that cannot be made or vanishes, a finished name taken by a folder, a body read
// before the handler, a client gone mid-body, a response someone else started.
// Each is answered (or the connection dropped) and reported, and the server
// carries on once the obstacle is gone.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import { acceptBitsPost, createUploadHandler } from '../../../lib/upload-server/index.js';
import type { UploadEvent, UploadHandler } from '../../../lib/upload-server/index.js';
import { BitsClient } from '../../support/bits-client.js';
import type { Answer } from '../../support/bits-client.js';
import { startUploads, tempDir } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function uploads(options: Parameters<typeof startUploads>[0] = {}, dir?: string): Promise<Uploads> {
  const u = await startUploads(options, dir);
  cleanups.push(() => u.close());
  return u;
}

/** A connect-style app around createUploadHandler, served through acceptBitsPost. */
async function serveApp(app: (handler: UploadHandler, req: IncomingMessage, res: ServerResponse) => void): Promise<{ dir: string; client: BitsClient; events: UploadEvent[] }> {
  const dir = tempDir();
  const events: UploadEvent[] = [];
  const handler = createUploadHandler({ directory: dir, onUpload: () => ({ reply: Buffer.from('the reply') }), onEvent: (e) => events.push(e) });
  const server = acceptBitsPost(createServer((req, res) => app(handler, req, res)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, client: new BitsClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), events };
}

function expectError(a: Answer, status: number, code: string): void {
  expect(a.status).toBe(status);
  expect(a.headers['bits-packet-type']).toBe('Ack');
  expect(a.headers['bits-error-code']).toBe(code);
}

const E_FAIL = '0x80004005';
const REPLY_OF = (id: string): string => `/.bits-reply/${id.slice(1, -1)}`;
const refusals = (events: UploadEvent[]): UploadEvent[] => events.filter((e) => e.type === 'refused');

describe('the disk in the way', () => {
  test('a file where the directory should be: 500 to packets and reply downloads; once it is gone, the next request sets up', async () => {
    const root = tempDir();
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const blocker = path.join(root, 'blocker');
    writeFileSync(blocker, 'not a folder');
    const u = await uploads({}, path.join(blocker, 'uploads'));
    expectError(await u.client.ping('/x'), 500, E_FAIL);
    expect(refusals(u.events)).toEqual([expect.objectContaining({ status: 500, code: E_FAIL })]);
    const download = await u.client.send('GET', REPLY_OF('{0f0e0d0c-0b0a-4908-8706-050403020100}'), {});
    expect(download.status).toBe(500);
    expect(download.headers['content-length']).toBe('0');
    // The failed setup is not remembered: the next request tries again.
    rmSync(blocker);
    expect((await u.client.ping('/x')).status).toBe(200);
    expect(existsSync(path.join(u.dir, '.bits-sessions'))).toBe(true);
    await u.client.upload('/after.bin', Buffer.from('arrived'));
    expect(readFileSync(path.join(u.dir, 'after.bin'), 'utf8')).toBe('arrived');
  });

  test('mounted with next(): an error serving a reply goes to next', async () => {
    const root = tempDir();
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    writeFileSync(path.join(root, 'blocker'), '');
    const handler = createUploadHandler({ directory: path.join(root, 'blocker', 'uploads') });
    const passed: unknown[] = [];
    const server = createServer((req, res) =>
      handler(req, res, (e) => {
        passed.push(e);
        res.writeHead(502).end('from next');
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const client = new BitsClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const a = await client.send('GET', REPLY_OF('{0f0e0d0c-0b0a-4908-8706-050403020100}'), {});
    expect([a.status, a.body.toString()]).toEqual([502, 'from next']);
    expect(passed).toEqual([expect.objectContaining({ syscall: 'mkdir' })]);
  });

  test('the sessions folder vanishes under a running server: Create-Session gets 500 and gives its slot back', async () => {
    const u = await uploads({ maxSessions: 1 });
    expect((await u.client.ping('/x')).status).toBe(200); // the folder is made
    const sessions = path.join(u.dir, '.bits-sessions');
    rmSync(sessions, { recursive: true });
    const failed = await u.client.packet('/v.bin', 'Create-Session', { 'BITS-Supported-Protocols': '{7df0354d-249b-430f-820d-3d2a9bef4931}' });
    expectError(failed, 500, E_FAIL);
    expect(failed.headers['bits-session-id']).toBeUndefined();
    expect(u.events.map((e) => e.type)).toEqual(['refused']);
    mkdirSync(sessions);
    // maxSessions is 1: a slot kept by the failed session would make this a 503.
    const id = await u.client.create('/v.bin');
    expect(u.sessions()).toEqual([id.slice(1, -1)]);
  });

  test('the finished name is taken by a folder after Create-Session: the last fragment gets 403 and keeps its bytes; resent once the folder is gone, it finishes', async () => {
    let calls = 0;
    const u = await uploads({
      onUpload: () => {
        calls++;
      },
    });
    const taken = path.join(u.dir, 'taken.bin');
    const id = await u.client.create('/taken.bin');
    mkdirSync(taken);
    writeFileSync(path.join(taken, 'inside'), 'x');
    const content = Buffer.from('0123456789');
    // 403 with HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS): [MC-BUP] 3.1.5.2.1 returns 403 to the caller.
    expectError(await u.client.fragment('/taken.bin', id, 0, content, 10), 403, '0x800700B7');
    expect(statSync(path.join(u.dir, '.bits-sessions', id.slice(1, -1), 'data')).size).toBe(10);
    expect(calls).toBe(0);
    rmSync(taken, { recursive: true });
    const a = await u.client.fragment('/taken.bin', id, 0, content, 10);
    expect(a.status).toBe(200);
    expect(a.headers['bits-received-content-range']).toBe('10');
    expect(readFileSync(taken).equals(content)).toBe(true);
    expect(calls).toBe(1);
    expect(u.events.map((e) => e.type)).toEqual(['session-created', 'fragment', 'refused', 'upload-finished']);
  });
});

describe('the body and the response', () => {
  test('a Fragment whose body something read before the handler: 500, reported, nothing acked (the client is still there)', async () => {
    const { dir, client, events } = await serveApp((handler, req, res) => {
      if (req.headers['bits-packet-type'] !== 'Fragment') return handler(req, res);
      // A body parser mounted before the handler (express.raw({ type: '*/*' }), say).
      req.resume();
      req.once('end', () => handler(req, res));
    });
    const id = await client.create('/read.bin');
    expectError(await client.fragment('/read.bin', id, 0, Buffer.alloc(10, 1), 20), 500, E_FAIL);
    expect(refusals(events)).toEqual([{ type: 'refused', sessionId: id, status: 500, code: E_FAIL, message: 'fragment body: 0 of 10 bytes' }]);
    expect(statSync(path.join(dir, '.bits-sessions', id.slice(1, -1), 'data')).size).toBe(0);
  });

  test('a client gone mid-fragment: nothing answered or reported, nothing acked, and the session carries on', async () => {
    const u = await uploads();
    const id = await u.client.create('/gone.bin');
    const arrived = new Promise<ServerResponse>((resolve) => u.server.on('request', (req: IncomingMessage, res: ServerResponse) => req.headers['bits-packet-type'] === 'Fragment' && resolve(res)));
    const socket = connect(u.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(`BITS_POST /gone.bin HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Fragment\r\nBITS-Session-Id: ${id}\r\nContent-Range: bytes 0-99999/100000\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(50_000)}`);
    const res = await arrived;
    socket.destroy();
    // The session's packets take turns: this one runs once the handler is done with the other.
    const probe = await u.client.fragment('/gone.bin', id, 10, Buffer.alloc(10), 100_000);
    expect(probe.status).toBe(416);
    expect(probe.headers['bits-received-content-range']).toBe('0');
    expect(res.headersSent).toBe(false);
    expect(res.destroyed).toBe(true);
    expect(refusals(u.events)).toEqual([expect.objectContaining({ status: 416 })]);
    const content = Buffer.alloc(100_000, 5);
    await u.client.upload('/gone.bin', content, 100_000, id);
    expect(readFileSync(path.join(u.dir, 'gone.bin')).equals(content)).toBe(true);
  });

  test('a response something else already started: the refusal is reported and the connection dropped, for packets and reply downloads', async () => {
    const { client, events } = await serveApp((handler, req, res) => {
      // An app that starts every answer before the handler runs (a bug, but not the client's).
      if (req.headers['x-start'] === 'yes') res.flushHeaders();
      handler(req, res);
    });
    const early = new BitsClient(client.base, { headers: { 'X-Start': 'yes' } });
    await expect(early.ping('/x')).rejects.toMatchObject({ code: 'ECONNRESET', message: 'aborted' });
    expect(refusals(events)).toEqual([expect.objectContaining({ status: 500, code: E_FAIL, message: expect.stringContaining('headers') as unknown })]);
    const id = await client.create('/r.bin');
    const replyUrl = String((await client.fragment('/r.bin', id, 0, Buffer.from('abc'), 3)).headers['bits-reply-url']);
    expect((await client.send('GET', replyUrl, {})).body.toString()).toBe('the reply');
    await expect(early.send('GET', replyUrl, {})).rejects.toMatchObject({ code: 'ECONNRESET', message: 'aborted' });
  });
});
