// The server's processing rules of [MC-BUP] section 3.2 (and the message rules
// of section 2.2 they send back to), one row each, against a fresh server,
// over HTTP on a socket as a BITS client sends them. Where the spec is silent,
// a row names the Microsoft BITS page it follows.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import type { UploadServerOptions } from '../../../lib/upload-server/index.js';
import { PROTOCOL, rawExchange, statuses } from '../../support/bits-client.js';
import type { Answer } from '../../support/bits-client.js';
import { startUploads } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

let u: Uploads | undefined;
afterEach(async () => {
  await u?.close();
  u = undefined;
});

const E_INVALIDARG = '0x80070057';
const GUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/;

function errorAck(a: Answer, status: number, code: string, context = '0x5'): void {
  expect([a.status, a.headers['bits-packet-type'], a.headers['bits-error-code'], a.headers['bits-error-context']]).toEqual([status, 'Ack', code, context]);
}
function cleanAck(a: Answer): void {
  expect([a.status, a.headers['bits-packet-type'], a.headers['bits-error-code'], a.headers['bits-error-context']]).toEqual([200, 'Ack', undefined, undefined]);
}

interface Row {
  section: string;
  rule: string;
  options?: Partial<UploadServerOptions>;
  run(u: Uploads): Promise<void>;
}

const ROWS: Row[] = [
  {
    section: '3.2.5.2.4',
    rule: 'no protocol in common: 400, BITS-Error x80070057, context 0x5, no session',
    run: async (u) => {
      errorAck(await u.client.packet('/a.bin', 'Create-Session', { 'BITS-Supported-Protocols': '{11111111-2222-3333-4444-555555555555}' }), 400, E_INVALIDARG);
      expect(u.sessions()).toEqual([]);
    },
  },
  {
    section: '3.2.5.2.4',
    rule: 'a fresh GUID per session, sent in the Ack with the protocol chosen (2.2.3)',
    run: async (u) => {
      const a = await u.client.packet('/a.bin', 'Create-Session', { 'BITS-Supported-Protocols': PROTOCOL });
      cleanAck(a);
      expect(a.headers['bits-session-id']).toMatch(GUID);
      expect(a.headers['bits-protocol']).toBe(PROTOCOL);
      expect(await u.client.create('/a.bin')).not.toBe(a.headers['bits-session-id']);
    },
  },
  {
    section: '3.2.5.2.4',
    rule: 'the entity is kept in a temporary location until it is complete (SHOULD)',
    run: async (u) => {
      const id = await u.client.create('/a.bin');
      cleanAck(await u.client.fragment('/a.bin', id, 0, Buffer.from('abc'), 6));
      expect(u.files()).toEqual([]);
      cleanAck(await u.client.fragment('/a.bin', id, 3, Buffer.from('def'), 6));
      expect(u.files()).toEqual(['a.bin']);
    },
  },
  {
    section: '3.2.5.2.6',
    rule: 'a start offset other than the next expected: 416 with BITS-Received-Content-Range, and BITS-Error (2.2.7.2)',
    run: async (u) => {
      const id = await u.client.create('/a.bin');
      cleanAck(await u.client.fragment('/a.bin', id, 0, Buffer.from('abc'), 9));
      const a = await u.client.fragment('/a.bin', id, 6, Buffer.from('ghi'), 9);
      errorAck(a, 416, '0x801901A0'); // BG_E_HTTP_ERROR_416
      expect(a.headers['bits-received-content-range']).toBe('3');
    },
  },
  {
    section: '3.2.5.2.6',
    rule: "Content-Range against RFC 2616 14.16 (last < first, last >= total): 400, x80070057, 0x5",
    run: async (u) => {
      const id = await u.client.create('/a.bin');
      for (const range of ['bytes 5-2/9', 'bytes 0-9/9', 'bytes 0-2', 'bits 0-2/9']) {
        errorAck(await u.client.packet('/a.bin', 'Fragment', { 'BITS-Session-Id': id, 'Content-Range': range }, Buffer.from('abc')), 400, E_INVALIDARG);
      }
    },
  },
  {
    section: '3.2.5.2.6',
    rule: 'an error from the back end: BITS-Error-Context 0x7',
    options: {
      onUpload: () => {
        throw Object.assign(new Error('rejected'), { status: 409 });
      },
    },
    run: async (u) => {
      const id = await u.client.create('/a.bin');
      errorAck(await u.client.fragment('/a.bin', id, 0, Buffer.from('x'), 1), 409, '0x80004005', '0x7');
    },
  },
  {
    section: '2.2.7.2',
    rule: 'BITS-Received-Content-Range MUST be included in every Ack for Fragment, error acks too',
    options: { maxFragmentSize: 4, maxFileSize: 100 },
    run: async (u) => {
      const id = await u.client.create('/a.bin');
      cleanAck(await u.client.fragment('/a.bin', id, 0, Buffer.from('ab'), 10));
      const acks = [
        await u.client.fragment('/a.bin', id, 2, Buffer.from('cdefg'), 10), // 413
        await u.client.fragment('/a.bin', id, 2, Buffer.from('cd'), 11), // total differs: 400
        await u.client.fragment('/a.bin', id, 2, Buffer.from('cd'), 101), // over maxFileSize: 400
        await u.client.packet('/a.bin', 'Fragment', { 'BITS-Session-Id': id, 'Content-Range': 'bytes 2-3/10', 'Content-Encoding': 'gzip' }, Buffer.from('cd')),
      ];
      for (const a of acks) {
        expect(a.status).toBeGreaterThanOrEqual(400);
        expect(a.headers['bits-received-content-range']).toBe('2');
      }
      const unknown = await u.client.fragment('/a.bin', '{00000000-0000-0000-0000-000000000000}', 0, Buffer.from('a'), 1);
      errorAck(unknown, 500, '0x8020001F');
      expect(unknown.headers['bits-received-content-range']).toBe('0');
    },
  },
  {
    section: '2.2.7.2',
    rule: 'BITS-Reply-URL MUST NOT be present for a simple upload',
    run: async (u) => {
      const id = await u.client.create('/a.bin');
      const a = await u.client.fragment('/a.bin', id, 0, Buffer.from('abc'), 3);
      cleanAck(a);
      expect(a.headers['bits-reply-url']).toBeUndefined();
    },
  },
  {
    section: '2.2.7.2',
    rule: 'upload-reply: BITS-Reply-URL on the Ack of the final fragment, not on the others (SHOULD NOT)',
    options: { onUpload: () => ({ reply: Buffer.from('r') }) },
    run: async (u) => {
      const id = await u.client.create('/a.bin');
      expect((await u.client.fragment('/a.bin', id, 0, Buffer.from('ab'), 4)).headers['bits-reply-url']).toBeUndefined();
      expect((await u.client.fragment('/a.bin', id, 2, Buffer.from('cd'), 4)).headers['bits-reply-url']).toBe(`/.bits-reply/${id.slice(1, -1)}`);
    },
  },
  {
    section: '2.2.1.2',
    rule: 'BITS-Error and BITS-Error-Context are absent from every successful Ack',
    run: async (u) => {
      cleanAck(await u.client.ping('/a.bin'));
      const id = await u.client.create('/a.bin');
      cleanAck(await u.client.fragment('/a.bin', id, 0, Buffer.from('abc'), 3));
      cleanAck(await u.client.fragment('/a.bin', id, 0, Buffer.from('abc'), 3)); // a resend
      cleanAck(await u.client.close('/a.bin', id));
    },
  },
  {
    section: '3.2.5.2.8',
    rule: 'CANCEL-SESSION deletes the request entity, the response entity and the session state',
    options: { onUpload: () => ({ reply: Buffer.from('r') }) },
    run: async (u) => {
      const id = await u.client.create('/a.bin');
      const last = await u.client.fragment('/a.bin', id, 0, Buffer.from('abc'), 3);
      const reply = String(last.headers['bits-reply-url']);
      const partial = await u.client.create('/b.bin');
      cleanAck(await u.client.fragment('/b.bin', partial, 0, Buffer.from('a'), 3));
      cleanAck(await u.client.cancel('/a.bin', id));
      cleanAck(await u.client.cancel('/b.bin', partial));
      expect(u.sessions()).toEqual([]);
      expect((await u.client.send('GET', reply, {})).status).toBe(404);
      expect(existsSync(path.join(u.dir, 'b.bin'))).toBe(false);
    },
  },
  {
    section: '2.2.9.2; Ack for Close-Session page',
    rule: 'Close-Session echoes BITS-Session-Id; an unknown session gets BG_E_SESSION_NOT_FOUND (the client then stops resending)',
    run: async (u) => {
      const id = await u.client.create('/a.bin');
      const a = await u.client.close('/a.bin', id);
      cleanAck(a);
      expect(a.headers['bits-session-id']).toBe(id);
      errorAck(await u.client.close('/a.bin', id), 500, '0x8020001F');
    },
  },
  {
    section: '3.1.5.2.1',
    rule: 'x8020001F makes the client restart with CREATE-SESSION: every packet naming an unknown session gets it',
    run: async (u) => {
      const gone = '{00000000-0000-0000-0000-000000000000}';
      errorAck(await u.client.fragment('/a.bin', gone, 0, Buffer.from('a'), 1), 500, '0x8020001F');
      errorAck(await u.client.close('/a.bin', gone), 500, '0x8020001F');
      errorAck(await u.client.cancel('/a.bin', gone), 500, '0x8020001F');
    },
  },
  {
    section: '3.1.5.2.4',
    rule: 'after 413 the client sends smaller fragments until accepted: a client doing so finishes, and a file over the limit is never a 413',
    options: { maxFragmentSize: 1 << 20, maxFileSize: 8 << 20 },
    run: async (u) => {
      const content = Buffer.alloc(5 << 20, 7);
      const id = await u.client.create('/a.bin');
      let size = 13 << 20;
      let offset = 0;
      let refusals = 0;
      while (offset < content.length) {
        const a = await u.client.fragment('/a.bin', id, offset, content.subarray(offset, offset + size), content.length);
        if (a.status === 413) {
          refusals++;
          size = Math.floor(size / 2);
          continue;
        }
        cleanAck(a);
        offset = Number(a.headers['bits-received-content-range']);
      }
      expect(refusals).toBeLessThanOrEqual(4); // 13 MiB halved to under 1 MiB
      const big = await u.client.create('/big.bin');
      errorAck(await u.client.fragment('/big.bin', big, 0, Buffer.alloc(10), 9 << 20), 400, '0x80200020');
    },
  },
  {
    section: 'BITS packet pages ("Content-Length is required"); RFC 9110 8.6 (no length, no content)',
    rule: 'a Fragment without Content-Length gets 411 with BITS-Error; a bodiless Ping without one is answered; the connection carries on',
    run: async (u) => {
      const session = await u.client.create('/a.bin');
      const noLength = `BITS_POST /a.bin HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Fragment\r\nBITS-Session-Id: ${session}\r\nContent-Range: bytes 0-0/1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n`;
      const ping = 'BITS_POST /a.bin HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Ping\r\n\r\n';
      const raw = await rawExchange(u.port, noLength + ping, (t) => statuses(t).length === 2);
      expect(statuses(raw)).toEqual([411, 200]);
      expect(raw).toMatch(/\r\nBITS-Error-Code: 0x8019019B\r\n/i);
    },
  },
  {
    section: 'Fragment page ("the client must use the encoding that the server identifies")',
    rule: 'Create-Session offers Identity only; a fragment in another Content-Encoding is refused, nothing written',
    run: async (u) => {
      const id = await u.client.create('/a.bin');
      errorAck(await u.client.packet('/a.bin', 'Fragment', { 'BITS-Session-Id': id, 'Content-Range': 'bytes 0-2/3', 'Content-Encoding': 'gzip' }, Buffer.from('abc')), 400, E_INVALIDARG);
      cleanAck(await u.client.packet('/a.bin', 'Fragment', { 'BITS-Session-Id': id, 'Content-Range': 'bytes 0-2/3', 'Content-Encoding': 'identity' }, Buffer.from('abc')));
      expect(readdirSync(u.dir).filter((f) => f !== '.bits-sessions')).toEqual(['a.bin']);
    },
  },
  {
    section: 'Fragment page (overlapping ranges)',
    rule: 'only the part of a fragment beyond the bytes received is written; received bytes are never overwritten',
    run: async (u) => {
      const id = await u.client.create('/a.bin');
      cleanAck(await u.client.fragment('/a.bin', id, 0, Buffer.from('abcd'), 8));
      const a = await u.client.fragment('/a.bin', id, 2, Buffer.from('XXef'), 8);
      cleanAck(a);
      expect(a.headers['bits-received-content-range']).toBe('6');
      cleanAck(await u.client.fragment('/a.bin', id, 6, Buffer.from('gh'), 8));
      const { readFileSync } = await import('node:fs');
      expect(readFileSync(path.join(u.dir, 'a.bin'), 'utf8')).toBe('abcdefgh');
    },
  },
  {
    section: '2.2.3; 1.3.4.2; Ack for Create-Session page',
    rule: 'BITS-Host-Id (and BITS-Host-Id-Fallback-Timeout, only with it) on the Ack for Create-Session when configured, as IIS BITSHostId; on no other ack',
    options: { hostId: 'node7.example.com', hostIdFallbackTimeout: 300 },
    run: async (u) => {
      const a = await u.client.packet('/a.bin', 'Create-Session', { 'BITS-Supported-Protocols': PROTOCOL });
      cleanAck(a);
      expect([a.headers['bits-host-id'], a.headers['bits-host-id-fallback-timeout']]).toEqual(['node7.example.com', '300']);
      const id = String(a.headers['bits-session-id']);
      const fragment = await u.client.fragment('/a.bin', id, 0, Buffer.from('abc'), 3);
      cleanAck(fragment);
      expect([fragment.headers['bits-host-id'], fragment.headers['bits-host-id-fallback-timeout']]).toEqual([undefined, undefined]);
    },
  },
  {
    section: '3.1.2.3',
    rule: 'no fallback timeout configured: none sent, and the client keeps to BITS-Host-Id (default INFINITE)',
    options: { hostId: '10.0.0.7' },
    run: async (u) => {
      const a = await u.client.packet('/a.bin', 'Create-Session', { 'BITS-Supported-Protocols': PROTOCOL });
      cleanAck(a);
      expect([a.headers['bits-host-id'], a.headers['bits-host-id-fallback-timeout']]).toEqual(['10.0.0.7', undefined]);
    },
  },
  {
    section: '3.1.5.2.1; Handling Server Application Errors page (5xx transient, 4xx final)',
    rule: 'a quota that other sessions will free: 503 with Retry-After (the client retries); a file larger than the quota on its own: 400 x80200020 (final)',
    options: { maxTotalBytes: 10, maxSessionsPerPrincipal: 3 },
    run: async (u) => {
      const a = await u.client.create('/a.bin');
      cleanAck(await u.client.fragment('/a.bin', a, 0, Buffer.from('a'), 8));
      const b = await u.client.create('/b.bin');
      const busy = await u.client.fragment('/b.bin', b, 0, Buffer.from('b'), 5);
      errorAck(busy, 503, '0x8007050F');
      expect(busy.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      errorAck(await u.client.fragment('/b.bin', b, 0, Buffer.from('b'), 11), 400, '0x80200020');
      await u.client.create('/c.bin');
      const fourth = await u.client.packet('/d.bin', 'Create-Session', { 'BITS-Supported-Protocols': PROTOCOL });
      errorAck(fourth, 503, '0x80070718');
      expect(fourth.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    },
  },
];

describe('[MC-BUP] 3.2 server rules', () => {
  test.each(ROWS.map((r) => [r.section, r.rule, r] as const))('%s: %s', async (_section, _rule, row) => {
    u = await startUploads(row.options ?? {});
    await row.run(u);
  });
});
