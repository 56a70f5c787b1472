// acceptBitsPost: BITS_POST past Node's parser, with keep-alive, pipelining,
// back-pressure and HTTPS intact, and no way for a plain POST to pose as BITS_POST.
import { readFileSync } from 'node:fs';
import { Agent, createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import { acceptBitsPost } from '../../../lib/upload-server/index.js';
import { BitsRequestFramer } from '../../../lib/upload-server/framing.js';
import { BitsClient, rawExchange, statuses } from '../../support/bits-client.js';
import { startUploads, until, writeBlocks } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

// A self-signed certificate for 127.0.0.1 (P-256, valid until 2126), made for this test
// alone with openssl (not needed at run time: Windows runners and Wine lack it).
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgapy7KvtaMfo1R8Yz
7t3Z/xhBIjiENENhTthcHXE2Ea+hRANCAAS1DDcxrV2rxlV6zHxjaUv15HvzyNQd
d455BG+QyQK/Z5ewHs2FpWDOj95jtxJ+g2M544LqSjvPB3Ds2NdyPgY1
-----END PRIVATE KEY-----`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBjzCCATagAwIBAgIUbjlDoUMHA+jzIOLC46ddX2dNEe4wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNzA4MjEzM1oYDzIxMjYxMTAz
MDgyMTMzWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAS1DDcxrV2rxlV6zHxjaUv15HvzyNQdd455BG+QyQK/Z5ewHs2FpWDO
j95jtxJ+g2M544LqSjvPB3Ds2NdyPgY1o2QwYjAdBgNVHQ4EFgQUZj4H7lNNDQap
Bk/N4EiEsbBtB28wHwYDVR0jBBgwFoAUZj4H7lNNDQapBk/N4EiEsbBtB28wDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0cAMEQC
IEjgpli73PD2BuH+vRx0YmGbzZD/DdlSOTe27WRasvgxAiANbMmcdcDNDRJZZxrm
Ak9tJ0TrnABOvJteAiz1E3p/Sg==
-----END CERTIFICATE-----`;

const servers: Server[] = [];
let u: Uploads | undefined;
afterEach(async () => {
  await u?.close();
  u = undefined;
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A server that answers each request with what it saw: method, marker header, body length. */
async function echoServer(wrap: boolean, handler?: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createServer(
    handler ??
      ((req, res) => {
        let n = 0;
        req.on('data', (c: Buffer) => (n += c.length));
        req.on('end', () => res.end(`${req.method} ${String(req.headers['x-bits-method'])} ${n} ${req.url}|`));
      }),
  );
  servers.push(wrap ? acceptBitsPost(server) : server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const bitsPost = (url: string, body = '', extra = ''): string => `BITS_POST ${url} HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Ping\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`;

describe('acceptBitsPost', () => {
  test("Node alone refuses BITS_POST (the reason for the front); through it the handler sees POST with the marker", async () => {
    const bare = await echoServer(false);
    expect(statuses(await rawExchange(bare, bitsPost('/a'), (t) => t.includes('\r\n\r\n')))).toEqual([400]);
    const port = await echoServer(true);
    const raw = await rawExchange(port, bitsPost('/a', 'hello'), (t) => t.includes('/a'));
    expect(raw).toMatch(/^HTTP\/1\.1 200/);
    expect(raw).toContain('POST BITS_POST 5 /a');
  });

  test('a client cannot pose as BITS_POST: its own X-Bits-Method is removed, on POST and on BITS_POST', async () => {
    const port = await echoServer(true);
    const spoof = 'POST /p HTTP/1.1\r\nHost: x\r\nX-Bits-Method: BITS_POST\r\nx-bits-method:BITS_POST\r\nContent-Length: 0\r\n\r\n';
    const both = bitsPost('/b', '', 'X-BITS-METHOD: other\r\n');
    const raw = await rawExchange(port, spoof + both, (t) => t.includes('/b'));
    expect(raw).toContain('POST undefined 0 /p');
    expect(raw).toContain('POST BITS_POST 0 /b'); // one marker: the front's (a repeated header would read "other, BITS_POST")
  });

  test('keep-alive: a whole upload over one connection', async () => {
    u = await startUploads();
    let connections = 0;
    u.server.on('connection', () => connections++);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const client = new BitsClient(u.base, { agent });
    const content = Buffer.alloc(50_000, 9);
    await client.upload('/k.bin', content, 10_000);
    agent.destroy();
    expect(connections).toBe(1);
    expect(readFileSync(path.join(u.dir, 'k.bin')).equals(content)).toBe(true);
  });

  test('pipelining: packets with bodies, a GET, a chunked POST and BITS_POST again, sent in one write, answered in order', async () => {
    const port = await echoServer(true);
    const chunked = 'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nBITS_\r\n3;x=y\r\nPOS\r\n0\r\nT: trailer\r\n\r\n';
    const all = [bitsPost('/1', 'BITS_POST /fake HTTP/1.1\r\n\r\n'), 'GET /2 HTTP/1.1\r\nHost: x\r\n\r\n', chunked, bitsPost('/4', 'abc')].join('');
    const raw = await rawExchange(port, all, (t) => t.includes('/4'));
    expect(statuses(raw)).toEqual([200, 200, 200, 200]);
    const bodies = [...raw.matchAll(/\r\n\r\n([A-Z_]+ \S+ \d+ \/[^|]+)\|/g)].map((m) => m[1]);
    expect(bodies).toEqual(['POST BITS_POST 28 /1', 'GET undefined 0 /2', 'POST undefined 8 /c', 'POST BITS_POST 3 /4']);
  });

  test('the framer gives the same bytes whichever way the stream is split', () => {
    const stream = Buffer.from(bitsPost('/1', 'x'.repeat(40)) + 'POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n' + bitsPost('/3'), 'latin1');
    const whole = Buffer.concat(new BitsRequestFramer().push(stream)).toString('latin1');
    expect(whole.match(/^POST \/(1|3) /gm)).toEqual(['POST /1 ', 'POST /3 ']);
    for (let step = 1; step <= 7; step++) {
      const f = new BitsRequestFramer();
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += step) out.push(...f.push(stream.subarray(i, i + step)));
      expect(Buffer.concat(out).toString('latin1')).toBe(whole);
    }
  });

  test('a chunked BITS_POST Fragment is refused with 411 Length Required, and the connection carries on', async () => {
    u = await startUploads();
    const id = await u.client.create('/ch.bin');
    const frag = `BITS_POST /ch.bin HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Fragment\r\nBITS-Session-Id: ${id}\r\nContent-Range: bytes 0-2/3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`;
    const ping = 'BITS_POST /ch.bin HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Ping\r\nContent-Length: 0\r\n\r\n';
    const raw = await rawExchange(u.port, frag + ping, (t) => statuses(t).length === 2);
    expect(statuses(raw)).toEqual([411, 200]); // RFC 9110 15.5.12: no defined Content-Length
    expect(raw).toContain('BITS-Error-Code: 0x8019019B'); // BG_E_HTTP_ERROR_411
  });

  test('back-pressure: while the handler does not read, the server stops reading the socket', { timeout: 60_000 }, async () => {
    let release = (): void => undefined;
    let seen = 0;
    let serverSocket: Socket | undefined;
    const port = await echoServer(true, (req, res) => {
      serverSocket = (req.socket as unknown as { socket: Socket }).socket;
      release = () => {
        req.on('data', (c: Buffer) => (seen += c.length));
        req.on('end', () => res.end('done'));
      };
    });
    const total = 256 << 20;
    const client = connect(port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    client.write(`BITS_POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: ${total}\r\n\r\n`);
    const sent = writeBlocks(client, Buffer.alloc(1 << 20), total);
    // The client stalls once the kernel buffers are full; without back-pressure it would send all 256 MiB.
    let last = -1;
    let since = Date.now();
    await until(() => {
      if (sent() !== last) [last, since] = [sent(), Date.now()];
      return serverSocket !== undefined && Date.now() - since > 300;
    }, 'the client to stall', 40_000);
    expect(sent()).toBeLessThan(total);
    expect(serverSocket!.bytesRead).toBeLessThan(32 << 20);
    const answer = new Promise<string>((resolve) => {
      let text = '';
      client.on('data', (c: Buffer) => {
        text += c.toString();
        if (text.endsWith('done')) resolve(text);
      });
    });
    release();
    expect(await answer).toMatch(/^HTTP\/1\.1 200/);
    expect(seen).toBe(total);
    client.destroy();
  });

  test('HTTPS: the same on the decrypted stream', async () => {
    const server = createHttpsServer({ key: TEST_KEY, cert: TEST_CERT }, (req, res) => {
      req.resume();
      req.on('end', () => res.end(`${req.method} ${String(req.headers['x-bits-method'])} ${String((req.socket as { encrypted?: boolean }).encrypted)}`));
    });
    servers.push(acceptBitsPost(server));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1, ca: TEST_CERT });
    const one = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port, path: '/t', method: 'BITS_POST', agent, headers: { 'Content-Length': '3' } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end('abc');
      });
    expect(await one()).toBe('POST BITS_POST true');
    expect(await one()).toBe('POST BITS_POST true'); // kept alive: the second request on the same TLS connection
    agent.destroy();
  });
});
