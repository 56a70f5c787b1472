// Upload-reply, onUpload's once-only and failure rules, principals, and the
// options' validation.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import { createUploadHandler } from '../../../lib/upload-server/index.js';
import type { FinishedUpload } from '../../../lib/upload-server/index.js';
import { BitsClient } from '../../support/bits-client.js';
import { startUploads, tempDir } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

let u: Uploads | undefined;
afterEach(async () => {
  await u?.close();
  u = undefined;
});

describe('upload-reply', () => {
  test('the last ack carries BITS-Reply-URL; GET serves the reply (ranges: 206) until Close-Session', async () => {
    const calls: FinishedUpload[] = [];
    u = await startUploads({
      onUpload: (up) => {
        calls.push(up);
        return { reply: Buffer.from(`got ${up.size} bytes from ${up.principal || 'anyone'}`) };
      },
    });
    const content = randomBytes(5000);
    const id = await u.client.create('/in/r.bin');
    const first = await u.client.fragment('/in/r.bin', id, 0, content.subarray(0, 3000), 5000);
    expect(first.headers['bits-reply-url']).toBeUndefined(); // only the last ack names the reply
    const last = await u.client.fragment('/in/r.bin', id, 3000, content.subarray(3000), 5000);
    expect(last.status).toBe(200);
    const replyUrl = String(last.headers['bits-reply-url']);
    expect(replyUrl).toBe(`/.bits-reply/${id.slice(1, -1)}`);
    const whole = await u.client.send('GET', replyUrl, {});
    expect(whole.status).toBe(200);
    expect(whole.body.toString()).toBe('got 5000 bytes from anyone');
    const part = await u.client.send('GET', replyUrl, { Range: 'bytes=4-7' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 4-7/26');
    expect(part.body.toString()).toBe('5000');
    const tail = await u.client.send('GET', replyUrl, { Range: 'bytes=-5' });
    expect(tail.body.toString()).toBe('nyone');
    expect((await u.client.send('GET', replyUrl, { Range: 'bytes=99-' })).status).toBe(416);
    expect(calls).toEqual([{ sessionId: id, path: path.join(u.dir, 'in', 'r.bin'), size: 5000, url: '/in/r.bin', principal: '' }]);
    expect((await u.client.close('/in/r.bin', id)).status).toBe(200);
    expect((await u.client.send('GET', replyUrl, {})).status).toBe(404);
    expect(readFileSync(path.join(u.dir, 'in', 'r.bin')).equals(content)).toBe(true); // Close-Session after the end keeps the file
  });

  test('onUpload runs exactly once, also when the last fragment is resent (sequentially and concurrently)', async () => {
    let calls = 0;
    u = await startUploads({ onUpload: () => ({ reply: Buffer.from(`call ${++calls}`) }) });
    const content = randomBytes(2000);
    const id = await u.client.create('/once.bin');
    await u.client.fragment('/once.bin', id, 0, content.subarray(0, 1000), 2000);
    const resends = await Promise.all(Array.from({ length: 8 }, () => u!.client.fragment('/once.bin', id, 1000, content.subarray(1000), 2000)));
    const again = await u.client.fragment('/once.bin', id, 0, content, 2000);
    for (const a of [...resends, again]) {
      expect(a.status).toBe(200);
      expect(a.headers['bits-received-content-range']).toBe('2000');
      expect(a.headers['bits-reply-url']).toBe(`/.bits-reply/${id.slice(1, -1)}`);
    }
    expect(calls).toBe(1);
    expect((await u.client.send('GET', String(again.headers['bits-reply-url']), {})).body.toString()).toBe('call 1');
    expect(readFileSync(path.join(u.dir, 'once.bin')).equals(content)).toBe(true);
  });

  test('when onUpload throws a final (4xx) error, the last ack carries context 0x7 with its error, kept for a resend; the file stays', async () => {
    let calls = 0;
    u = await startUploads({
      onUpload: () => {
        calls++;
        throw Object.assign(new Error('virus scanner offline'), { hresult: 0x80070020, status: 422 });
      },
    });
    const content = randomBytes(100);
    const id = await u.client.create('/bad.bin');
    for (let i = 0; i < 2; i++) {
      const a = await u.client.fragment('/bad.bin', id, 0, content, 100);
      expect(a.status).toBe(422);
      expect(a.headers['bits-error-context']).toBe('0x7'); // [MC-BUP] 3.2.5.2.6: 0x7 for an error from the back end
      expect(a.headers['bits-error-code']).toBe('0x80070020');
      expect(a.headers['bits-session-id']).toBe(id);
    }
    expect(calls).toBe(1);
    expect(readFileSync(path.join(u.dir, 'bad.bin')).equals(content)).toBe(true);
    expect(u.events.some((e) => e.type === 'callback-failed' && e.message === 'virus scanner offline')).toBe(true);
  });

  test('HEAD answers as GET would, without the body; an empty reply is served as 200 with no body', async () => {
    const replies = [Buffer.from('twelve bytes'), Buffer.alloc(0)];
    u = await startUploads({ onUpload: () => ({ reply: replies.shift()! }) });
    const replyOf = async (name: string): Promise<string> => {
      const id = await u!.client.create(name);
      return String((await u!.client.fragment(name, id, 0, Buffer.from('x'), 1)).headers['bits-reply-url']);
    };
    const full = await replyOf('/h.bin');
    const head = await u.client.send('HEAD', full, {});
    expect([head.status, head.headers['content-length'], head.headers['accept-ranges'], head.body.length]).toEqual([200, '12', 'bytes', 0]);
    const part = await u.client.send('HEAD', full, { Range: 'bytes=2-5' });
    expect([part.status, part.headers['content-range'], part.headers['content-length'], part.body.length]).toEqual([206, 'bytes 2-5/12', '4', 0]);
    const empty = await replyOf('/e.bin');
    for (const method of ['GET', 'HEAD']) {
      const a = await u.client.send(method, empty, {});
      expect([a.status, a.headers['content-length'], a.body.length]).toEqual([200, '0', 0]);
    }
    const beyond = await u.client.send('GET', empty, { Range: 'bytes=0-' });
    expect([beyond.status, beyond.headers['content-range']]).toEqual([416, 'bytes */0']);
  });
});

describe('principals', () => {
  const byHeader = (req: IncomingMessage): string | false => {
    const who = req.headers['x-user'];
    return typeof who === 'string' ? who : false;
  };

  test('authorize refusing: 403 E_ACCESSDENIED, no session made', async () => {
    u = await startUploads({ authorize: byHeader });
    for (const a of [await u.client.ping('/x'), await u.client.packet('/x', 'Create-Session', { 'BITS-Supported-Protocols': '{7df0354d-249b-430f-820d-3d2a9bef4931}' })]) {
      expect(a.status).toBe(403);
      expect(a.headers['bits-error-code']).toBe('0x80070005');
      expect(a.headers['bits-error-context']).toBe('0x5');
    }
    expect(u.sessions()).toEqual([]);
  });

  test("another principal's packets for a session get 403 and write nothing; the reply is the owner's only", async () => {
    u = await startUploads({ authorize: byHeader, onUpload: () => ({ reply: Buffer.from('secret') }) });
    const alice = new BitsClient(u.base, { headers: { 'X-User': 'alice' } });
    const mallory = new BitsClient(u.base, { headers: { 'X-User': 'mallory' } });
    const id = await alice.create('/a.bin');
    await alice.fragment('/a.bin', id, 0, Buffer.alloc(10, 1), 20);
    const data = path.join(u.dir, '.bits-sessions', id.slice(1, -1), 'data');
    for (const a of [await mallory.fragment('/a.bin', id, 10, Buffer.alloc(10, 2), 20), await mallory.fragment('/a.bin', id, 0, Buffer.alloc(20, 2), 20), await mallory.cancel('/a.bin', id), await mallory.close('/a.bin', id)]) {
      expect(a.status).toBe(403);
      expect(a.headers['bits-error-code']).toBe('0x80070005');
    }
    expect(statSync(data).size).toBe(10);
    expect(readFileSync(data).equals(Buffer.alloc(10, 1))).toBe(true);
    const last = await alice.fragment('/a.bin', id, 10, Buffer.alloc(10, 3), 20);
    expect(last.status).toBe(200);
    const replyUrl = String(last.headers['bits-reply-url']);
    expect((await mallory.send('GET', replyUrl, {})).status).toBe(404);
    expect((await new BitsClient(u.base).send('GET', replyUrl, {})).status).toBe(403); // authorize refuses: nobody's reply
    expect((await alice.send('GET', replyUrl, {})).body.toString()).toBe('secret');
    expect(readFileSync(path.join(u.dir, 'a.bin')).equals(Buffer.concat([Buffer.alloc(10, 1), Buffer.alloc(10, 3)]))).toBe(true);
  });
});

describe('options', () => {
  test("fileName names the file; its result gets the same check, and a throw refuses", async () => {
    u = await startUploads({
      fileName: (req) => {
        const name = String(req.headers['x-name']);
        if (name === 'throw') throw new Error('no such customer');
        return name;
      },
    });
    const as = (name: string): BitsClient => new BitsClient(u!.base, { headers: { 'X-Name': name } });
    await as('chosen.bin').upload('/ignored/path.bin', Buffer.from('abc'));
    expect(u.files()).toEqual(['chosen.bin']);
    for (const bad of ['../evil.bin', 'CON', 'a:b', 'throw']) {
      const a = await as(bad).packet('/x.bin', 'Create-Session', { 'BITS-Supported-Protocols': '{7df0354d-249b-430f-820d-3d2a9bef4931}' });
      expect(a.status).toBe(400);
      expect(a.headers['bits-error-code']).toBe('0x80070057');
    }
    expect(u.sessions()).toEqual([]);
    expect(u.files()).toEqual(['chosen.bin']);
  });

  test('are checked when the handler is made', () => {
    const directory = tempDir();
    expect(() => createUploadHandler({ directory: '' })).toThrow(TypeError);
    expect(() => createUploadHandler({ directory: 42 } as unknown as { directory: string })).toThrow(TypeError);
    expect(() => createUploadHandler({ directory, maxFileSize: 0 })).toThrow(RangeError);
    expect(() => createUploadHandler({ directory, maxFragmentSize: 1.5 })).toThrow(RangeError);
    expect(() => createUploadHandler({ directory, maxSessions: -1 })).toThrow(RangeError);
    expect(() => createUploadHandler({ directory, sessionTimeoutMs: '1' as unknown as number })).toThrow(TypeError);
    expect(() => createUploadHandler({ directory, onUpload: 'yes' as unknown as () => undefined })).toThrow(TypeError);
    expect(typeof createUploadHandler({ directory })).toBe('function');
    expect(existsSync(path.join(directory, '.bits-sessions'))).toBe(false); // nothing touches the disk before a request
  });
});
