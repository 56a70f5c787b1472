// Every packet sequence of the BITS Upload Protocol against createUploadServer,
// through the test client: the acks' headers, the error codes and contexts,
// and what the directory holds after each step.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

import { PROTOCOL } from '../../support/bits-client.js';
import type { Answer } from '../../support/bits-client.js';
import { startUploads } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

let u: Uploads;
beforeEach(async () => {
  u = await startUploads();
});
afterEach(async () => {
  await u.close();
});

const GUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/;

function expectAck(a: Answer, status = 200): void {
  expect(a.status).toBe(status);
  expect(a.headers['bits-packet-type']).toBe('Ack');
  expect(a.headers['content-length']).toBe('0');
}

function expectError(a: Answer, status: number, code: string, context = '0x5'): void {
  expectAck(a, status);
  expect(a.headers['bits-error-code']).toBe(code);
  expect(a.headers['bits-error-context']).toBe(context);
}

describe('packets', () => {
  test('Ping is acked, whatever the case of its name', async () => {
    for (const type of ['Ping', 'PING', 'ping']) {
      const a = await u.client.packet('/x.bin', type);
      expectAck(a);
      expect(a.headers['bits-error-code']).toBeUndefined();
      expect(a.headers['bits-session-id']).toBeUndefined();
    }
  });

  test('Create-Session: our protocol from a list split by spaces or commas, a fresh GUID each time', async () => {
    const other = '{11111111-2222-3333-4444-555555555555}';
    const ids = new Set<string>();
    for (const list of [PROTOCOL, `${other} ${PROTOCOL.toUpperCase()}`, `${other},${PROTOCOL}`, `${other}, ${PROTOCOL}`]) {
      const a = await u.client.packet('/x.bin', 'create-session', { 'BITS-Supported-Protocols': list });
      expectAck(a);
      expect(a.headers['bits-protocol']).toBe(PROTOCOL);
      expect(a.headers['accept-encoding']).toBe('Identity');
      expect(a.headers['bits-session-id']).toMatch(GUID);
      ids.add(String(a.headers['bits-session-id']));
    }
    expect(ids.size).toBe(4);
    expect(u.sessions()).toHaveLength(4);
  });

  test('400 E_INVALIDARG: unsupported protocol, missing headers, unknown packet, a body where none belongs', async () => {
    expectError(await u.client.packet('/x.bin', 'Create-Session', { 'BITS-Supported-Protocols': '{11111111-2222-3333-4444-555555555555}' }), 400, '0x80070057');
    expectError(await u.client.packet('/x.bin', 'Create-Session'), 400, '0x80070057');
    expectError(await u.client.send('BITS_POST', '/x.bin', { 'Content-Length': '0' }), 400, '0x80070057');
    expectError(await u.client.packet('/x.bin', 'Upload-Everything'), 400, '0x80070057');
    expectError(await u.client.packet('/x.bin', 'Ping', {}, Buffer.from('body')), 400, '0x80070057');
    expectError(await u.client.packet('/x.bin', 'Create-Session', { 'BITS-Supported-Protocols': PROTOCOL }, Buffer.from('x')), 400, '0x80070057');
    const id = await u.client.create('/x.bin');
    expectError(await u.client.packet('/x.bin', 'Close-Session', { 'BITS-Session-Id': id }, Buffer.from('x')), 400, '0x80070057');
    expectError(await u.client.packet('/x.bin', 'Cancel-Session', { 'BITS-Session-Id': id }, Buffer.from('x')), 400, '0x80070057');
    expectError(await u.client.packet('/x.bin', 'Fragment', { 'BITS-Session-Id': id }, Buffer.from('x')), 400, '0x80070057');
    expectError(await u.client.packet('/x.bin', 'Fragment', { 'BITS-Session-Id': id, 'Content-Range': 'bytes 0-9/10' }, Buffer.from('short')), 400, '0x80070057');
    expectError(await u.client.packet('/x.bin', 'Close-Session', { 'BITS-Session-Id': 'not-a-guid' }), 400, '0x80070057');
    expect(u.files()).toEqual([]);
    expect(u.sessions()).toEqual([id.slice(1, -1)]); // only the one valid Create-Session made a session
  });

  test('an upload in fragments: acks name the next offset, echo the session, and the file appears only at the end', async () => {
    const content = randomBytes(100_000);
    const id = await u.client.create('/dir/report.bin');
    for (let first = 0; first < content.length; first += 30_000) {
      expect(readdirSync(path.join(u.dir, 'dir'))).toEqual([]); // partial data never shows in the directory
      const a = await u.client.fragment('/dir/report.bin', id, first, content.subarray(first, first + 30_000), content.length);
      expectAck(a);
      expect(a.headers['bits-session-id']).toBe(id);
      expect(a.headers['bits-received-content-range']).toBe(String(Math.min(first + 30_000, content.length)));
      expect(a.headers['bits-reply-url']).toBeUndefined();
    }
    expect(readdirSync(path.join(u.dir, 'dir'))).toEqual(['report.bin']);
    expect(readFileSync(path.join(u.dir, 'dir', 'report.bin')).equals(content)).toBe(true);
    const closed = await u.client.close('/dir/report.bin', id);
    expectAck(closed);
    expect(closed.headers['bits-session-id']).toBe(id);
    expect(u.sessions()).toEqual([]);
    expect(u.events.filter((e) => e.type === 'upload-finished')).toEqual([expect.objectContaining({ size: content.length, path: path.join(u.dir, 'dir', 'report.bin') })]);
  });

  test('a fragment beyond what was received gets 416 with the offset to resume from, and writes nothing', async () => {
    const content = randomBytes(3000);
    const id = await u.client.create('/o.bin');
    await u.client.fragment('/o.bin', id, 0, content.subarray(0, 1000), 3000);
    const early = await u.client.fragment('/o.bin', id, 2000, content.subarray(2000), 3000);
    expectAck(early, 416);
    expect(early.headers['bits-received-content-range']).toBe('1000');
    expect(early.headers['bits-session-id']).toBe(id);
    expect(statSync(path.join(u.dir, '.bits-sessions', id.slice(1, -1), 'data')).size).toBe(1000);
    const { acks } = await u.client.upload('/o.bin', content, 1000, id);
    expect(acks.map((a) => a.status)).toEqual([200, 200, 200]); // resends 0-999 (a duplicate: 200), then the rest
    expect(readFileSync(path.join(u.dir, 'o.bin')).equals(content)).toBe(true);
  });

  test('duplicate and overlapping fragments: 200, only new bytes written, received bytes never overwritten', async () => {
    const content = randomBytes(3000);
    const id = await u.client.create('/d.bin');
    expectAck(await u.client.fragment('/d.bin', id, 0, content.subarray(0, 2000), 3000));
    const dup = await u.client.fragment('/d.bin', id, 0, content.subarray(0, 1000), 3000);
    expectAck(dup);
    expect(dup.headers['bits-received-content-range']).toBe('2000');
    // Overlap 1500-2999 whose first 500 bytes differ from what was received.
    const overlap = Buffer.concat([Buffer.alloc(500, 0xee), content.subarray(2000)]);
    const a = await u.client.fragment('/d.bin', id, 1500, overlap, 3000);
    expectAck(a);
    expect(a.headers['bits-received-content-range']).toBe('3000');
    expect(readFileSync(path.join(u.dir, 'd.bin')).equals(content)).toBe(true);
  });

  test('a total that differs from the earlier fragments gets 400', async () => {
    const id = await u.client.create('/t.bin');
    await u.client.fragment('/t.bin', id, 0, Buffer.alloc(10, 1), 100);
    expectError(await u.client.fragment('/t.bin', id, 10, Buffer.alloc(10, 2), 200), 400, '0x80070057');
    expect(statSync(path.join(u.dir, '.bits-sessions', id.slice(1, -1), 'data')).size).toBe(10);
  });

  test('an unknown session: 500 BG_E_SESSION_NOT_FOUND, its id echoed', async () => {
    const stranger = '{0f0e0d0c-0b0a-4908-8706-050403020100}';
    for (const a of [await u.client.fragment('/x', stranger, 0, Buffer.alloc(4), 4), await u.client.close('/x', stranger), await u.client.cancel('/x', stranger)]) {
      expectError(a, 500, '0x8020001F');
      expect(a.headers['bits-session-id']).toBe(stranger);
    }
  });

  test('Cancel-Session and Close-Session before the end delete the partial data and end the session', async () => {
    for (const end of ['cancel', 'close'] as const) {
      const id = await u.client.create('/p.bin');
      await u.client.fragment('/p.bin', id, 0, Buffer.alloc(50, 7), 100);
      const a = end === 'cancel' ? await u.client.cancel('/p.bin', id) : await u.client.close('/p.bin', id);
      expectAck(a);
      expect(a.headers['bits-session-id']).toBe(id);
      expect(u.sessions()).toEqual([]);
      expect(u.files()).toEqual([]);
      expectError(await u.client.fragment('/p.bin', id, 50, Buffer.alloc(50, 7), 100), 500, '0x8020001F');
    }
  });
});

describe('other requests', () => {
  test('neither a packet nor a reply download: 404 to GET and HEAD, 405 to other methods, naming the allowed ones', async () => {
    const reply = '/.bits-reply/0f0e0d0c-0b0a-4908-8706-050403020100';
    for (const [method, url, status] of [['GET', '/x.bin', 404], ['HEAD', '/x.bin', 404], ['POST', '/x.bin', 405], ['PUT', '/x.bin', 405], ['DELETE', reply, 405]] as const) {
      const a = await u.client.send(method, url, {});
      expect([method, a.status, a.headers.allow, a.headers['content-length']]).toEqual([method, status, 'BITS_POST, GET, HEAD', '0']);
    }
  });
});

describe('limits', () => {
  test('a total over maxFileSize: 400 BG_E_TOO_LARGE (final); a fragment over maxFragmentSize: 413 (the client sends smaller ones); 503 past maxSessions', async () => {
    await u.close();
    u = await startUploads({ maxFileSize: 1000, maxFragmentSize: 100, maxSessions: 2 });
    const id = await u.client.create('/big.bin');
    // [MC-BUP] 3.1.5.2.1: x80200020 is returned to the caller. Not 413: 3.1.5.2.4 has the client
    // answer a 413 with smaller fragments, which never makes a file smaller.
    expectError(await u.client.fragment('/big.bin', id, 0, Buffer.alloc(10), 1001), 400, '0x80200020');
    // [MC-BUP] 3.1.5.2.4: after 413 the client SHOULD send smaller fragments; the code is
    // BG_E_HTTP_ERROR_413, not BG_E_TOO_LARGE, which 3.1.5.2.1 makes final.
    const tooBig = await u.client.fragment('/big.bin', id, 0, Buffer.alloc(101), 1000);
    expectError(tooBig, 413, '0x8019019D');
    expect(tooBig.headers['bits-received-content-range']).toBe('0'); // [MC-BUP] 2.2.7.2
    expectAck(await u.client.fragment('/big.bin', id, 0, Buffer.alloc(100), 1000));
    await u.client.create('/second.bin');
    const third = await u.client.packet('/third.bin', 'Create-Session', { 'BITS-Supported-Protocols': PROTOCOL });
    expect(third.status).toBe(503);
    expect(third.headers['bits-error-code']).toMatch(/^0x[0-9A-F]{8}$/);
    expect(u.sessions()).toHaveLength(2);
    await u.client.cancel('/big.bin', id);
    await u.client.create('/third.bin'); // a slot is free again
  });

  test('an idle session expires after sessionTimeoutMs: then BG_E_SESSION_NOT_FOUND', async () => {
    await u.close();
    u = await startUploads({ sessionTimeoutMs: 300 });
    // The clock alone is fake (sockets and timers stay real): idling is set, not slept.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const start = Date.now();
      const id = await u.client.create('/e.bin');
      expectAck(await u.client.fragment('/e.bin', id, 0, Buffer.alloc(5), 20));
      // Idle exactly the limit: still alive, and this packet touches it again.
      vi.setSystemTime(start + 300);
      expectAck(await u.client.fragment('/e.bin', id, 5, Buffer.alloc(5), 20));
      // One millisecond past the limit since that packet: gone.
      vi.setSystemTime(start + 300 + 301);
      expectError(await u.client.fragment('/e.bin', id, 10, Buffer.alloc(10), 20), 500, '0x8020001F');
      expect(u.files()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});
