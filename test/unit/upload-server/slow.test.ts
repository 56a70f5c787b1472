// Slow clients and the server's own options. A fragment that trickles in but
// never stops finishes, however long it takes; one that stops sending for
// fragmentTimeoutMs is ended and frees its session. createUploadServer passes
// http and https ServerOptions through, with Node's 300 s requestTimeout off.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import path from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import { createUploadServer } from '../../../lib/upload-server/index.js';
import { PROTOCOL, rawExchange } from '../../support/bits-client.js';
import { startUploads, tempDir, until } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

let u: Uploads | undefined;
afterEach(async () => {
  await u?.close();
  u = undefined;
});

const head = (id: string, range: string, length: number): string =>
  `BITS_POST /s.bin HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Fragment\r\nBITS-Session-Id: ${id}\r\nContent-Range: bytes ${range}\r\nContent-Length: ${length}\r\n\r\n`;

describe('slow clients', () => {
  test('a slow but steady fragment finishes although it takes several times fragmentTimeoutMs', { timeout: 20_000 }, async () => {
    u = await startUploads({ fragmentTimeoutMs: 300 });
    const id = await u.client.create('/s.bin');
    const socket = connect(u.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    socket.write(head(id, '0-9/10', 10));
    const started = Date.now();
    for (const byte of '0123456789') {
      await new Promise((r) => setTimeout(r, 150)); // each byte inside the timeout, the whole well past it
      socket.write(byte);
    }
    await until(() => answer.includes('\r\n\r\n'), 'the ack');
    socket.destroy();
    expect(Date.now() - started).toBeGreaterThan(3 * 300);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(readFileSync(path.join(u.dir, 's.bin'), 'utf8')).toBe('0123456789');
  });

  test('a fragment that stops sending is ended after fragmentTimeoutMs, nothing of it acked, and its session serves the next attempt', { timeout: 20_000 }, async () => {
    u = await startUploads({ fragmentTimeoutMs: 300 });
    const id = await u.client.create('/s.bin');
    const socket = connect(u.port, '127.0.0.1');
    let closed = false;
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    socket.on('close', () => (closed = true));
    socket.write(`${head(id, '0-9/10', 10)}abc`); // then nothing
    await until(() => closed, 'the server closing the stalled connection', 5000);
    expect(answer).toBe('');
    // Destroying the stalled body closes the socket; the refusal is reported as the read unwinds.
    await until(() => u!.events.some((e) => e.type === 'refused'), 'the refused event');
    expect(u.events.filter((e) => e.type === 'refused').map((e) => (e.type === 'refused' ? e.status : 0))).toEqual([408]);
    // The session's lock is free: the client's next attempt is served at once, from offset 0.
    const a = await u.client.fragment('/s.bin', id, 0, Buffer.from('0123456789'), 10);
    expect([a.status, a.headers['bits-received-content-range']]).toEqual([200, '10']);
  });
});

describe('createUploadServer and ServerOptions', () => {
  test("Node's requestTimeout is off unless given; http ServerOptions reach the server (maxHeaderSize: 431 past it)", async () => {
    const dir = tempDir();
    const plain = createUploadServer({ directory: dir });
    const tuned = createUploadServer({ directory: dir }, { maxHeaderSize: 2048, requestTimeout: 120_000 });
    try {
      expect(plain.requestTimeout).toBe(0);
      expect(tuned.requestTimeout).toBe(120_000);
      await new Promise<void>((r) => tuned.listen(0, '127.0.0.1', r));
      const port = (tuned.address() as AddressInfo).port;
      const big = await rawExchange(port, `BITS_POST /x HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Ping\r\nX-Pad: ${'a'.repeat(4000)}\r\nContent-Length: 0\r\n\r\n`, (t) => t.includes('\r\n\r\n'));
      expect(big).toMatch(/^HTTP\/1\.1 431 /); // Node: a head over maxHeaderSize gets 431
    } finally {
      tuned.closeAllConnections();
      await new Promise<void>((r) => tuned.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('https ServerOptions (a key and certificate) make an HTTPS server that answers BITS packets', async () => {
    const dir = tempDir();
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    const cert = readFileSync(certFile);
    const server = createUploadServer({ directory: path.join(dir, 'up') }, { key: readFileSync(keyFile), cert });
    try {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as AddressInfo).port;
      const answer = await new Promise<{ status: number; session: unknown; protocol: unknown }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, servername: 'localhost', ca: cert, method: 'BITS_POST', path: '/t.bin', headers: { 'BITS-Packet-Type': 'Create-Session', 'BITS-Supported-Protocols': PROTOCOL, 'Content-Length': '0' } },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, session: res.headers['bits-session-id'], protocol: res.headers['bits-protocol'] }));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(answer.status).toBe(200);
      expect(answer.protocol).toBe(PROTOCOL); // Microsoft's Ack for Create-Session page: BITS-Protocol names the protocol chosen
      expect(String(answer.session)).toMatch(/^\{[0-9a-f-]{36}\}$/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
