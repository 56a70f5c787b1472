// Quotas on sessions and bytes, as a BITS client meets them on the wire: per
// principal (named by authorize) and for the whole directory. Bytes are counted
// by the total a session declares in its first Fragment (the total cannot change
// afterwards, and no fragment may reach past it), so a session can never hold
// more than it reserved; a finished, closed, cancelled or expired session gives
// its reservation back.
//
// Which answer BITS sees decides what it does next. "Handling Server Application
// Errors": "All 5xx error codes are transient errors except 501 and 505 ... All
// 4xx error codes are fatal errors except for 408 and 409". A quota that other
// sessions' ends will free is a 503 with Retry-After (the client tries again);
// a file that could never fit is a 400 (the job stops).
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import { createUploadHandler } from '../../../lib/upload-server/index.js';
import type { UploadEvent, UploadServerOptions } from '../../../lib/upload-server/index.js';
import { BitsClient } from '../../support/bits-client.js';
import type { Answer } from '../../support/bits-client.js';
import { startUploads, tempDir, until } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

let u: Uploads | undefined;
afterEach(async () => {
  await u?.close();
  u = undefined;
});

const byUser = (req: IncomingMessage): string => String(req.headers['x-user'] ?? 'nobody');
const as = (who: string): BitsClient => new BitsClient((u as Uploads).base, { headers: { 'X-User': who } });

/** A transient quota refusal: 503 with Retry-After, an error code, context 0x5 (the server). */
function busy(a: Answer, code: string): void {
  // "Handling Server Application Errors": 5xx other than 501/505 is transient; RFC 9110 10.2.3:
  // Retry-After on a 503 says how long to wait, in seconds.
  expect([a.status, a.headers['bits-packet-type'], a.headers['bits-error-code'], a.headers['bits-error-context']]).toEqual([503, 'Ack', code, '0x5']);
  expect(a.headers['retry-after']).toMatch(/^[1-9]\d*$/);
}

const quotaEvents = (events: UploadEvent[]): UploadEvent[] => events.filter((e) => e.type === 'quota-exceeded');

const NOT_ENOUGH_QUOTA = '0x80070718'; // HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_QUOTA)
const DISK_QUOTA_EXCEEDED = '0x8007050F'; // HRESULT_FROM_WIN32(ERROR_DISK_QUOTA_EXCEEDED)

describe('quotas', () => {
  test('maxSessionsPerPrincipal: one more Create-Session gets 503 with Retry-After; another principal is not held back; an ended session frees its slot', async () => {
    u = await startUploads({ authorize: byUser, maxSessionsPerPrincipal: 2 });
    const alice = as('alice');
    const a1 = await alice.create('/a1.bin');
    await alice.create('/a2.bin');
    const third = await alice.packet('/a3.bin', 'Create-Session', { 'BITS-Supported-Protocols': '{7df0354d-249b-430f-820d-3d2a9bef4931}' });
    busy(third, NOT_ENOUGH_QUOTA);
    expect(third.headers['bits-session-id']).toBeUndefined(); // no session was made
    expect(u.sessions()).toHaveLength(2);
    await as('bob').create('/b1.bin');
    expect(quotaEvents(u.events)).toEqual([{ type: 'quota-exceeded', quota: 'sessions-per-principal', principal: 'alice', limit: 2, status: 503, code: NOT_ENOUGH_QUOTA }]);
    // A finished session still counts until Close-Session ends it ([MC-BUP] 3.2.5.2.7: the session lives until then).
    expect((await alice.fragment('/a1.bin', a1, 0, Buffer.from('x'), 1)).status).toBe(200);
    busy(await alice.packet('/a3.bin', 'Create-Session', { 'BITS-Supported-Protocols': '{7df0354d-249b-430f-820d-3d2a9bef4931}' }), NOT_ENOUGH_QUOTA);
    expect((await alice.close('/a1.bin', a1)).status).toBe(200);
    await alice.create('/a3.bin');
  });

  test('maxBytesPerPrincipal counts the declared total from the first fragment, before its bytes arrive; nothing of a refused fragment is written', async () => {
    u = await startUploads({ authorize: byUser, maxBytesPerPrincipal: 10 });
    const alice = as('alice');
    const big = await alice.create('/big.bin');
    expect((await alice.fragment('/big.bin', big, 0, Buffer.from('a'), 8)).status).toBe(200); // 8 reserved, 1 received
    const small = await alice.create('/small.bin');
    const refused = await alice.fragment('/small.bin', small, 0, Buffer.from('xyz'), 3);
    busy(refused, DISK_QUOTA_EXCEEDED);
    // [MC-BUP] 2.2.7.2: every Fragment ack carries BITS-Received-Content-Range, error acks too.
    expect(refused.headers['bits-received-content-range']).toBe('0');
    expect(statSync(path.join(u.dir, '.bits-sessions', small.slice(1, -1), 'data')).size).toBe(0);
    expect((await alice.fragment('/small.bin', small, 0, Buffer.from('xy'), 2)).status).toBe(200); // 8 + 2 = 10: fits
    expect((await as('bob').upload('/bob.bin', Buffer.alloc(10, 1))).acks.every((a) => a.status === 200)).toBe(true);
    // A fragment cannot declare more later: the total is fixed ([MC-BUP] 3.2.5.2.6 checks ranges against it).
    expect((await alice.fragment('/big.bin', big, 1, Buffer.alloc(20), 21)).status).toBe(400);
    expect(quotaEvents(u.events)).toEqual([{ type: 'quota-exceeded', quota: 'bytes-per-principal', principal: 'alice', sessionId: small, limit: 10, requested: 3, status: 503, code: DISK_QUOTA_EXCEEDED }]);
  });

  test('a file larger than a byte quota on its own gets 400 BG_E_TOO_LARGE, final, not a 503 the client would retry forever', async () => {
    u = await startUploads({ maxBytesPerPrincipal: 10, maxTotalBytes: 20 });
    const id = await u.client.create('/a.bin');
    const a = await u.client.fragment('/a.bin', id, 0, Buffer.from('a'), 11);
    // [MC-BUP] 3.1.5.2.1: the client returns BG_E_TOO_LARGE (x80200020) to the caller; a 4xx is final.
    expect([a.status, a.headers['bits-error-code'], a.headers['retry-after']]).toEqual([400, '0x80200020', undefined]);
    expect(quotaEvents(u.events)).toEqual([{ type: 'quota-exceeded', quota: 'bytes-per-principal', principal: '', sessionId: id, limit: 10, requested: 11, status: 400, code: '0x80200020' }]);
    const b = await new BitsClient(u.base).fragment('/a.bin', id, 0, Buffer.from('a'), 10);
    expect(b.status).toBe(200);
    const u2 = await startUploads({ maxTotalBytes: 5 });
    try {
      const id2 = await u2.client.create('/c.bin');
      expect((await u2.client.fragment('/c.bin', id2, 0, Buffer.from('a'), 6)).headers['bits-error-code']).toBe('0x80200020');
    } finally {
      await u2.close();
    }
  });

  test('maxTotalBytes holds across principals; finishing, cancelling and closing early give the bytes back', async () => {
    u = await startUploads({ authorize: byUser, maxTotalBytes: 10 });
    const [alice, bob] = [as('alice'), as('bob')];
    const a = await alice.create('/a.bin');
    expect((await alice.fragment('/a.bin', a, 0, Buffer.from('a'), 6)).status).toBe(200);
    const b = await bob.create('/b.bin');
    busy(await bob.fragment('/b.bin', b, 0, Buffer.from('bbbbb'), 5), DISK_QUOTA_EXCEEDED);
    expect((await alice.fragment('/a.bin', a, 1, Buffer.from('bcdef'), 6)).status).toBe(200); // finished: bytes back
    expect((await bob.fragment('/b.bin', b, 0, Buffer.from('bbb'), 5)).status).toBe(200); // 5 reserved, 3 received
    const c = await alice.create('/c.bin');
    busy(await alice.fragment('/c.bin', c, 0, Buffer.alloc(6), 6), DISK_QUOTA_EXCEEDED);
    expect((await bob.cancel('/b.bin', b)).status).toBe(200); // cancelled: bytes back
    expect((await alice.fragment('/c.bin', c, 0, Buffer.alloc(3), 10)).status).toBe(200);
    expect((await alice.close('/c.bin', c)).status).toBe(200); // closed before the end: bytes back
    const d = await bob.create('/d.bin');
    expect((await bob.fragment('/d.bin', d, 0, Buffer.alloc(10), 10)).status).toBe(200);
    expect(quotaEvents(u.events).map((e) => (e.type === 'quota-exceeded' ? [e.quota, e.principal] : []))).toEqual([
      ['total-bytes', 'bob'],
      ['total-bytes', 'alice'],
    ]);
  });

  test('an expired session gives its bytes back', { timeout: 15_000 }, async () => {
    u = await startUploads({ maxTotalBytes: 10, sessionTimeoutMs: 300, emptySessionTimeoutMs: 300 });
    const a = await u.client.create('/a.bin');
    expect((await u.client.fragment('/a.bin', a, 0, Buffer.from('a'), 8)).status).toBe(200);
    const b = await u.client.create('/b.bin');
    busy(await u.client.fragment('/b.bin', b, 0, Buffer.alloc(5), 5), DISK_QUOTA_EXCEEDED);
    await until(() => !u?.sessions().includes(a.slice(1, -1)), 'the session with data expired and swept', 5000);
    const c = await u.client.create('/c.bin');
    expect((await u.client.fragment('/c.bin', c, 0, Buffer.alloc(5), 5)).status).toBe(200);
  });

  test('sessions a previous run left count against the quotas after a restart', async () => {
    const dir = tempDir();
    const id = '11111111-1111-1111-1111-111111111111';
    mkdirSync(path.join(dir, '.bits-sessions', id), { recursive: true });
    writeFileSync(path.join(dir, '.bits-sessions', id, 'data'), Buffer.alloc(2));
    const state = { version: 1, id, principal: '', name: 'old.bin', url: '/old.bin', total: 8, received: 2, touched: Date.now(), finished: false, notified: false, failure: null, reply: false };
    writeFileSync(path.join(dir, '.bits-sessions', id, 'state.json'), JSON.stringify(state));
    u = await startUploads({ maxTotalBytes: 10, maxSessionsPerPrincipal: 2 }, dir);
    const b = await u.client.create('/b.bin');
    busy(await u.client.fragment('/b.bin', b, 0, Buffer.alloc(3), 3), DISK_QUOTA_EXCEEDED);
    busy(await u.client.packet('/c.bin', 'Create-Session', { 'BITS-Supported-Protocols': '{7df0354d-249b-430f-820d-3d2a9bef4931}' }), NOT_ENOUGH_QUOTA);
  });

  test('a first fragment still in flight holds its reservation: another session cannot take the same bytes meanwhile', async () => {
    const MiB = 1 << 20;
    u = await startUploads({ maxTotalBytes: 4 * MiB });
    const [a, b] = [await u.client.create('/a.bin'), await u.client.create('/b.bin')];
    // Session a's first fragment declares 3 MiB and sends half of it, then waits; the server
    // writes whole 1 MiB batches, so a data file past 1 MiB shows the fragment is being received.
    const socket = connect(u.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    socket.write(`BITS_POST /a.bin HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Fragment\r\nBITS-Session-Id: ${a}\r\nContent-Range: bytes 0-${3 * MiB - 1}/${3 * MiB}\r\nContent-Length: ${3 * MiB}\r\n\r\n`);
    socket.write(Buffer.alloc(1.5 * MiB, 1));
    const data = path.join(u.dir, '.bits-sessions', a.slice(1, -1), 'data');
    await until(() => statSync(data).size >= MiB, 'a batch of session a on disk');
    busy(await u.client.fragment('/b.bin', b, 0, Buffer.alloc(3), 2 * MiB), DISK_QUOTA_EXCEEDED);
    socket.write(Buffer.alloc(1.5 * MiB, 2));
    await until(() => /\r\n\r\n$/.test(answer), 'the ack of session a');
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(new RegExp(`\\r\\nBITS-Received-Content-Range: ${3 * MiB}\\r\\n`, 'i'));
  });

  test('a first fragment cut off mid-body gives back its reservation and leaves no bytes on disk outside it', { timeout: 15_000 }, async () => {
    const MiB = 1 << 20;
    u = await startUploads({ maxTotalBytes: 4 * MiB });
    const a = await u.client.create('/a.bin');
    const socket = connect(u.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(`BITS_POST /a.bin HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Fragment\r\nBITS-Session-Id: ${a}\r\nContent-Range: bytes 0-${3 * MiB - 1}/${3 * MiB}\r\nContent-Length: ${3 * MiB}\r\n\r\n`);
    socket.write(Buffer.alloc(1.5 * MiB, 1));
    const data = path.join(u.dir, '.bits-sessions', a.slice(1, -1), 'data');
    await until(() => statSync(data).size >= MiB, 'a batch of session a on disk');
    socket.destroy(); // the client goes away: nothing of this fragment was acked
    await until(() => statSync(data).size === 0, 'the unacked bytes of the cut fragment removed', 5000);
    const b = await u.client.create('/b.bin');
    expect((await u.client.fragment('/b.bin', b, 0, Buffer.alloc(3), 4 * MiB)).status).toBe(200); // the whole quota is free again
  });

  test('Create-Sessions arriving at once: maxSessionsPerPrincipal and maxSessions admit exactly as many as they allow', async () => {
    const PROTO = { 'BITS-Supported-Protocols': '{7df0354d-249b-430f-820d-3d2a9bef4931}' };
    u = await startUploads({ maxSessionsPerPrincipal: 2 });
    const client = u.client;
    const perPrincipal = await Promise.all([1, 2, 3, 4, 5].map((i) => client.packet(`/p${i}.bin`, 'Create-Session', PROTO)));
    expect(perPrincipal.map((a) => a.status).sort()).toEqual([200, 200, 503, 503, 503]);
    expect(u.sessions()).toHaveLength(2);
    await u.close();
    u = await startUploads({ maxSessions: 2 });
    const other = u.client;
    const global = await Promise.all([1, 2, 3, 4, 5].map((i) => other.packet(`/g${i}.bin`, 'Create-Session', PROTO)));
    expect(global.map((a) => a.status).sort()).toEqual([200, 200, 503, 503, 503]);
    for (const a of global.filter((g) => g.status === 503)) busy(a, '0x800700AA'); // ERROR_BUSY, as maxSessions answered before
    expect(u.sessions()).toHaveLength(2);
  });

  test('quota options are checked when the handler is made', () => {
    const dir = tempDir();
    const make = (o: Partial<UploadServerOptions>) => () => createUploadHandler({ directory: dir, ...o });
    for (const key of ['maxSessionsPerPrincipal', 'maxBytesPerPrincipal', 'maxTotalBytes'] as const) {
      for (const bad of [0, -1, 1.5, Number.NaN]) expect(make({ [key]: bad }), `${key} ${bad}`).toThrow(RangeError);
      expect(make({ [key]: '10' as unknown as number }), key).toThrow(TypeError);
      expect(make({ [key]: Number.POSITIVE_INFINITY }), key).not.toThrow();
      expect(make({ [key]: 3 }), key).not.toThrow();
    }
  });
});
