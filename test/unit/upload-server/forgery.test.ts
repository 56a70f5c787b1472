// An attacker's bytes against acceptBitsPost's front, over raw sockets: framing
// that could make the front and Node's parser disagree on where a request starts
// (and so let a plain POST through with the front's BITS_POST marker), and request
// heads dribbled a byte at a time.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';

import { afterEach, describe, expect, test } from 'vitest';

import { BitsRequestFramer, HEAD_SLACK } from '../../../lib/upload-server/framing.js';
import { rawExchange, statuses } from '../../support/bits-client.js';
import { startUploads } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

let u: Uploads | undefined;
afterEach(async () => {
  await u?.close();
  u = undefined;
});

/** A plain POST carrying the header the front adds to BITS_POST: only the front may say BITS_POST. */
const FORGED = 'POST /forged.bin HTTP/1.1\r\nHost: x\r\nX-Bits-Method: BITS_POST\r\nBITS-Packet-Type: Ping\r\nContent-Length: 0\r\n\r\n';
const isAck = (raw: string): boolean => /\r\nBITS-Packet-Type: Ack\r\n/i.test(raw);

/** Sends `bytes` and collects the answers until the server closes the connection or `count` responses came. */
const exchange = (port: number, bytes: string, count: number): Promise<string> => rawExchange(port, bytes, (t) => statuses(t).length >= count && t.endsWith('\r\n\r\n'));

describe('forged BITS_POST', () => {
  test('a GET with Upgrade but no Connection: upgrade is an ordinary request, and the POST after it is a plain POST', async () => {
    u = await startUploads();
    // RFC 9110 7.8: Upgrade takes effect only with the "upgrade" connection option, and
    // Node's parser (llhttp) switches protocols only with both: it goes on parsing here.
    const raw = await exchange(u.port, `GET /x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n${FORGED}`, 2);
    expect(statuses(raw)).toHaveLength(2);
    for (const s of statuses(raw)) expect(s).toBeGreaterThanOrEqual(400);
    expect(isAck(raw)).toBe(false);
    expect(u.events).toEqual([]);
  });

  test('a chunk size of 13 digits is read whole (leading zeros count for nothing), and the POST after it is a plain POST', async () => {
    u = await startUploads();
    // RFC 9112 7.1: chunk-size = 1*HEXDIG; llhttp accepts any number of leading zeros.
    const chunked = 'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0000000000001\r\nx\r\n0\r\n\r\n';
    const raw = await exchange(u.port, chunked + FORGED, 2);
    expect(statuses(raw)).toHaveLength(2);
    expect(isAck(raw)).toBe(false);
  });

  test.each([
    ['a chunk size past 2^52', 'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000\r\nx\r\n0\r\n\r\n'],
    ['a transfer coding the front does not read', 'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n'],
    ['Content-Length twice', 'POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx'],
    ['Content-Length with Transfer-Encoding', 'POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['a folded header line', 'GET /c HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n Content-Length: 5\r\n\r\n'],
    ['a bare LF in a head', 'GET /c HTTP/1.1\r\nHost: x\nContent-Length: 1\r\n\r\nx'],
    ['chunk data not followed by CRLF', 'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n'],
  ])('%s: the connection is closed, and nothing after it is answered', async (_, bad) => {
    u = await startUploads();
    const raw = await exchange(u.port, bad + FORGED + FORGED, 3);
    // Fewer answers than requests: the connection ended where the front stopped understanding it.
    expect(statuses(raw).length).toBeLessThan(2);
    expect(isAck(raw)).toBe(false);
  });

  test('an upgrade request to a server without an upgrade listener is an ordinary request, as Node reads it, and so is the POST after it', async () => {
    u = await startUploads();
    // Node's server treats Upgrade + Connection: upgrade as an ordinary request when it
    // has no 'upgrade' listener, and goes on parsing the connection.
    const upgrade = 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 0\r\n\r\n';
    const raw = await exchange(u.port, upgrade + FORGED, 2);
    expect(statuses(raw)).toHaveLength(2);
    expect(isAck(raw)).toBe(false);
  });

  test("with an 'upgrade' listener, the connection is handed over and what follows reaches it raw, never as a request", async () => {
    u = await startUploads();
    let handed = '';
    u.server.on('upgrade', (_req: IncomingMessage, socket: Duplex, head: Buffer) => {
      handed += head.toString('latin1');
      socket.on('data', (c: Buffer) => {
        handed += c.toString('latin1');
        if (handed.length >= FORGED.length) socket.end('upgraded');
      });
      if (handed.length >= FORGED.length) socket.end('upgraded');
    });
    const upgrade = 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
    const raw = await rawExchange(u.port, upgrade + FORGED, () => false);
    expect(raw).toBe('upgraded');
    expect(handed).toBe(FORGED); // byte for byte: its X-Bits-Method was not touched, nor parsed
  });
});

describe('empty lines before a request line', () => {
  test('are skipped after a body as at the start (RFC 9112 2.2), as Node skips them', () => {
    const f = new BitsRequestFramer();
    const stream = 'POST /a HTTP/1.1\r\nContent-Length: 1\r\n\r\nx\r\n\r\nBITS_POST /b HTTP/1.1\r\nContent-Length: 0\r\n\r\n';
    const out = Buffer.concat(f.push(Buffer.from(stream, 'latin1'))).toString('latin1');
    expect(f.error).toBeNull();
    expect(out).toContain('\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 0\r\nX-Bits-Method: BITS_POST\r\n\r\n');
  });
});

describe('request heads dribbled a byte at a time', () => {
  test('each byte of a head is examined once, and the framer gives up just past maxHeaderSize', () => {
    const framer = new BitsRequestFramer(16 * 1024);
    const head = Buffer.from(`BITS_POST /d HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(15_000)}\r\nContent-Length: 0\r\n\r\n`, 'latin1');
    const out: Buffer[] = [];
    for (let i = 0; i < head.length; i++) out.push(...framer.push(head.subarray(i, i + 1)));
    expect(framer.scanned).toBe(head.length);
    expect(Buffer.concat(out).toString('latin1')).toMatch(/^POST \/d HTTP\/1\.1\r\n[^]*\r\nX-Bits-Method: BITS_POST\r\n\r\n$/);

    const endless = new BitsRequestFramer(16 * 1024);
    const one = Buffer.from('a');
    endless.push(Buffer.from('GET / HTTP/1.1\r\nX: '));
    const forwarded: Buffer[] = [];
    for (let i = 0; i < 64 * 1024; i++) forwarded.push(...endless.push(one));
    // Handed to Node once, at the limit, so that Node answers its 431; no blank line in it, so no request.
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]!.length).toBe(16 * 1024 + HEAD_SLACK + 1);
    expect(forwarded[0]!.includes('\r\n\r\n')).toBe(false);
    expect(endless.error).toMatch(/over/);
    expect(endless.scanned).toBeLessThanOrEqual(16 * 1024 + HEAD_SLACK + 1);
  });

  test('over a socket: the server closes the connection once a head passes maxHeaderSize, without reading on', { timeout: 30_000 }, async () => {
    u = await startUploads();
    let server: Socket | undefined;
    u.server.on('connection', (s: Socket) => (server = s));
    const client = connect(u.port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    client.on('error', () => undefined);
    let closed = false;
    let readAtClose = -1;
    client.on('close', () => (closed = true));
    const serverClosed = new Promise<void>((resolve) => {
      const check = (): void => {
        if (server) server.once('close', () => ((readAtClose = server!.bytesRead), resolve()));
        else setImmediate(check);
      };
      check();
    });
    client.write('GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ');
    // One byte per turn of the event loop, 64 Ki of them, until the server hangs up.
    for (let i = 0; i < 64 * 1024 && !closed && readAtClose < 0; i++) {
      client.write('a');
      await new Promise((r) => setImmediate(r));
    }
    await serverClosed;
    client.destroy();
    // Node's default maxHeaderSize is 16 KiB (http.maxHeaderSize); the front stops HEAD_SLACK past it.
    expect(readAtClose).toBeGreaterThan(16 * 1024);
    expect(readAtClose).toBeLessThan(32 * 1024);
  });
});
