// Nothing is overwritten that should not be: the URL's folders are kept below
// the mount, a symlink never leads out of `directory`, `overwrite: 'refuse'`
// refuses an existing name at Create-Session, one principal never replaces
// another's file, two sessions for one name end with the last finisher's bytes
// whole, the finished file is exactly the declared size, and a zero-byte
// upload finishes as an empty file.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import type { FinishedUpload, UploadServerOptions } from '../../../lib/upload-server/index.js';
import { BitsClient, PROTOCOL, rawExchange } from '../../support/bits-client.js';
import type { Answer } from '../../support/bits-client.js';
import { startUploads, tempDir, until } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

const open: Uploads[] = [];
afterEach(async () => {
  for (const u of open.splice(0)) await u.close();
});
async function uploads(options: Partial<UploadServerOptions> = {}): Promise<Uploads> {
  const u = await startUploads({ authorize: (req) => String(req.headers['x-user'] ?? ''), ...options });
  open.push(u);
  return u;
}
const as = (u: Uploads, user: string): BitsClient => new BitsClient(u.base, { headers: { 'X-User': user } });
const createRaw = (c: BitsClient, url: string): Promise<Answer> => c.packet(url, 'Create-Session', { 'BITS-Supported-Protocols': PROTOCOL });

// [MC-BUP] 2.2.1.2 / 3.1.5.2.1: an error ack carries BITS-Error-Code; 403 is returned to the
// caller as final ("the user does not have access rights to upload ... to the location").
function expectFinal(a: Answer, code: string): void {
  expect(a.status).toBe(403);
  expect(a.headers['bits-packet-type']).toBe('Ack');
  expect(a.headers['bits-error-code']).toBe(code);
}
const E_ACCESSDENIED = '0x80070005';
const FILE_EXISTS = '0x80070050'; // HRESULT_FROM_WIN32(ERROR_FILE_EXISTS)

describe("the URL's folders", () => {
  test('/hostA/log.txt and /hostB/log.txt land in folders of their own below the mount', async () => {
    const u = await uploads();
    await u.client.upload('/hostA/log.txt', Buffer.from('from A'));
    await u.client.upload('/hostB/log.txt', Buffer.from('from B'));
    await u.client.upload('/hostA/deeper/x%20y.txt', Buffer.from('deep'));
    // Microsoft's Create-Session page: remote-URL is "typically ... the remote file name of the
    // job"; IIS stores it at that path below the virtual directory.
    expect(readFileSync(path.join(u.dir, 'hostA', 'log.txt'), 'utf8')).toBe('from A');
    expect(readFileSync(path.join(u.dir, 'hostB', 'log.txt'), 'utf8')).toBe('from B');
    expect(readFileSync(path.join(u.dir, 'hostA', 'deeper', 'x y.txt'), 'utf8')).toBe('deep');
  });

  test('each segment is checked: a bad folder name is refused with 400 E_INVALIDARG, nothing made', async () => {
    const u = await uploads();
    // Raw, since an HTTP client would resolve `..` before sending.
    const raw = await rawExchange(u.port, `BITS_POST /a/../b.bin HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Create-Session\r\nBITS-Supported-Protocols: ${PROTOCOL}\r\nContent-Length: 0\r\n\r\n`, (t) => t.includes('\r\n\r\n'));
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toMatch(/\r\nbits-error-code: 0x80070057\r\n/i);
    for (const url of ['/CON/x.bin', '/a%2Fb/x.bin', '/.bits-sessions/x.bin', '/a//x.bin', '/dir/']) {
      const a = await createRaw(u.client, url);
      expect([url, a.status, a.headers['bits-error-code']]).toEqual([url, 400, '0x80070057']); // [MC-BUP] 3.1.5.2.1: x80070057, final
    }
    expect(u.files()).toEqual([]);
  });

  test('a symlinked folder never leads out of the directory, at Create-Session or planted before the last fragment', async () => {
    const u = await uploads();
    const outside = tempDir();
    symlinkSync(outside, path.join(u.dir, 'link'));
    expectFinal(await createRaw(u.client, '/link/x.bin'), E_ACCESSDENIED);
    const id = await u.client.create('/later/x.bin');
    rmSync(path.join(u.dir, 'later'), { recursive: true }); // made by Create-Session; now a link takes its place
    symlinkSync(outside, path.join(u.dir, 'later'));
    expectFinal(await u.client.fragment('/later/x.bin', id, 0, Buffer.from('abc'), 3), E_ACCESSDENIED);
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe('a destination that cannot be written', () => {
  test('a folder at the name, or a file where a folder should be: refused at Create-Session with 403 and a final code, no session made', async () => {
    const u = await uploads();
    mkdirSync(path.join(u.dir, 'taken.bin'));
    writeFileSync(path.join(u.dir, 'plain'), 'a file');
    const ALREADY_EXISTS = '0x800700B7'; // HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS)
    expectFinal(await createRaw(u.client, '/taken.bin'), ALREADY_EXISTS);
    expectFinal(await createRaw(u.client, '/plain/x.bin'), ALREADY_EXISTS);
    expect(u.sessions()).toEqual([]);
    expect(u.events.map((e) => e.type)).toEqual(['refused', 'refused']);
  });
});

describe('overwriting', () => {
  test("overwrite: 'refuse' refuses Create-Session for an existing file with 403 and a final code, leaving it", async () => {
    const u = await uploads({ overwrite: 'refuse' });
    await u.client.upload('/a.bin', Buffer.from('first'));
    expectFinal(await createRaw(u.client, '/a.bin'), FILE_EXISTS);
    expect(readFileSync(path.join(u.dir, 'a.bin'), 'utf8')).toBe('first');
    // A session that raced the first one to the name is refused at its last fragment.
    const u2 = await uploads({ overwrite: 'refuse' });
    const one = await u2.client.create('/r.bin');
    const two = await u2.client.create('/r.bin');
    expect((await u2.client.fragment('/r.bin', one, 0, Buffer.from('one'), 3)).status).toBe(200);
    expectFinal(await u2.client.fragment('/r.bin', two, 0, Buffer.from('two'), 3), FILE_EXISTS);
    expect(readFileSync(path.join(u2.dir, 'r.bin'), 'utf8')).toBe('one');
  });

  test("overwrite: 'replace' (the default) replaces one's own file", async () => {
    const u = await uploads();
    await as(u, 'alice').upload('/a.bin', Buffer.from('first'));
    await as(u, 'alice').upload('/a.bin', Buffer.from('second'));
    expect(readFileSync(path.join(u.dir, 'a.bin'), 'utf8')).toBe('second');
  });

  test("one principal never replaces another's file: refused at Create-Session, and at the last fragment when it raced", async () => {
    const u = await uploads();
    const alice = as(u, 'alice');
    const bob = as(u, 'bob');
    const early = await bob.create('/shared.bin'); // before alice's file exists
    await alice.upload('/shared.bin', Buffer.from('alice'));
    expectFinal(await createRaw(bob, '/shared.bin'), E_ACCESSDENIED);
    expectFinal(await bob.fragment('/shared.bin', early, 0, Buffer.from('bob'), 3), E_ACCESSDENIED);
    expect(readFileSync(path.join(u.dir, 'shared.bin'), 'utf8')).toBe('alice');
    // A file nobody uploaded (put there by the operator) is nobody's to replace.
    writeFileSync(path.join(u.dir, 'operator.bin'), 'keep');
    expectFinal(await createRaw(alice, '/operator.bin'), E_ACCESSDENIED);
    expect(readFileSync(path.join(u.dir, 'operator.bin'), 'utf8')).toBe('keep');
  });
});

describe('two sessions for one name', () => {
  test('the last finisher wins whole, and onUpload never sees the other session\'s bytes', async () => {
    const seen: { id: string; bytes: string }[] = [];
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const u = await uploads({
      onUpload: async (f: FinishedUpload) => {
        if (first) {
          first = false;
          await gate; // the other session finishes while this one's onUpload runs
        }
        seen.push({ id: f.sessionId, bytes: readFileSync(f.path, 'latin1') });
      },
    });
    const a = await u.client.create('/same.bin');
    const b = await u.client.create('/same.bin');
    const A = Buffer.alloc(1000, 'a');
    const B = Buffer.alloc(600, 'b');
    const lastA = u.client.fragment('/same.bin', a, 0, A, A.length);
    await until(() => !first, 'the first onUpload');
    const lastB = u.client.fragment('/same.bin', b, 0, B, B.length);
    await new Promise((r) => setTimeout(r, 50)); // give B every chance to overtake (it must not)
    release();
    expect((await lastA).status).toBe(200);
    expect((await lastB).status).toBe(200);
    expect(seen).toEqual([
      { id: a, bytes: A.toString('latin1') },
      { id: b, bytes: B.toString('latin1') },
    ]);
    expect(readFileSync(path.join(u.dir, 'same.bin'), 'latin1')).toBe(B.toString('latin1'));
  });
});

describe('sizes', () => {
  test('the finished file is exactly the declared size, even when the data file held more', async () => {
    const u = await uploads();
    const id = await u.client.create('/t.bin');
    // Bytes of a fragment written but never acked (the server died before its state was saved).
    writeFileSync(path.join(u.dir, '.bits-sessions', id.slice(1, -1), 'data'), Buffer.alloc(100, 'z'));
    const a = await u.client.fragment('/t.bin', id, 0, Buffer.from('0123456789'), 10);
    expect(a.status).toBe(200);
    expect(statSync(path.join(u.dir, 't.bin')).size).toBe(10);
    expect(readFileSync(path.join(u.dir, 't.bin'), 'utf8')).toBe('0123456789');
  });

  test('a zero-byte upload (Content-Range: bytes */0, no body) finishes as an empty file', async () => {
    const sizes: number[] = [];
    const u = await uploads({ onUpload: (f) => void sizes.push(f.size) });
    const id = await u.client.create('/empty.bin');
    // RFC 2616 14.16 (which [MC-BUP] 3.2.5.2.6 applies to Content-Range): "*" stands for no range.
    const a = await u.client.packet('/empty.bin', 'Fragment', { 'BITS-Session-Id': id, 'Content-Range': 'bytes */0' });
    expect(a.status).toBe(200);
    expect(a.headers['bits-received-content-range']).toBe('0'); // [MC-BUP] 2.2.7.2
    expect(existsSync(path.join(u.dir, 'empty.bin'))).toBe(true);
    expect(statSync(path.join(u.dir, 'empty.bin')).size).toBe(0);
    expect(sizes).toEqual([0]);
    expect((await u.client.close('/empty.bin', id)).status).toBe(200);
    // `*/N` with N > 0 names no bytes of a file that has some: malformed.
    const other = await u.client.create('/x.bin');
    expect((await u.client.packet('/x.bin', 'Fragment', { 'BITS-Session-Id': other, 'Content-Range': 'bytes */5' })).status).toBe(400);
  });
});
