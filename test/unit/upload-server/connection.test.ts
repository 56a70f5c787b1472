// The connection acceptBitsPost hands the HTTP server: req.socket answers for the
// real socket (addresses, options, ref/unref), the server's writes wait for the
// socket to drain, and what the front cannot frame (an Upgrade's tunnel, an
// endless chunk-size line) passes through to Node untouched.
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

import { afterEach, describe, expect, test, vi } from 'vitest';

import { acceptBitsPost } from '../../../lib/upload-server/index.js';
import { BitsRequestFramer } from '../../../lib/upload-server/framing.js';
import { statuses } from '../../support/bits-client.js';
import { until, writeBlocks } from '../../support/upload-fixture.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = acceptBitsPost(createServer(handler));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** The socket acceptBitsPost wrapped, which the connection delegates to. */
const realSocket = (req: IncomingMessage): Socket => (req.socket as unknown as { socket: Socket }).socket;

/** TCP sockets that keep the event loop alive (an unref'd one is not counted). */
const refedSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

describe('the connection acceptBitsPost hands the server', () => {
  test("req.socket reports the real socket's addresses, and passes options and ref/unref to it", async () => {
    const { port } = await listen((req, res) => {
      const conn = req.socket;
      const raw = realSocket(req);
      expect(conn).not.toBe(raw);
      const noDelay = vi.spyOn(raw, 'setNoDelay');
      const keepAlive = vi.spyOn(raw, 'setKeepAlive');
      expect(conn.setNoDelay(false)).toBe(conn);
      expect(noDelay).toHaveBeenCalledWith(false);
      expect(conn.setKeepAlive(true, 1234)).toBe(conn);
      expect(keepAlive).toHaveBeenCalledWith(true, 1234);
      const before = refedSockets();
      expect(conn.unref()).toBe(conn);
      const unrefed = refedSockets();
      expect(conn.ref()).toBe(conn);
      const { remoteAddress, remotePort, remoteFamily, localAddress, localPort } = conn;
      res.end(JSON.stringify({ remoteAddress, remotePort, remoteFamily, localAddress, localPort, address: conn.address(), refs: [before, unrefed, refedSockets()] }));
    });
    const { body, clientPort } = await new Promise<{ body: string; clientPort: number | undefined }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', method: 'BITS_POST', agent: false }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ body: text, clientPort: res.socket.localPort }));
      });
      req.on('error', reject);
      req.end();
    });
    const seen = JSON.parse(body) as Record<string, unknown> & { refs: number[] };
    expect(seen).toEqual({
      remoteAddress: '127.0.0.1',
      remotePort: clientPort,
      remoteFamily: 'IPv4',
      localAddress: '127.0.0.1',
      localPort: port,
      address: { address: '127.0.0.1', family: 'IPv4', port },
      refs: [seen.refs[0], seen.refs[0]! - 1, seen.refs[0]],
    });
  });

  test('back-pressure out: while the client does not read, the response waits for the socket to drain', { timeout: 60_000 }, async () => {
    const block = Buffer.alloc(1 << 20, 7);
    const total = 128 << 20;
    let written = (): number => 0;
    let raw: Socket | undefined;
    const { port } = await listen((req, res) => {
      raw = realSocket(req);
      res.writeHead(200, { 'Content-Length': String(total) });
      written = writeBlocks(res, block, total, () => res.end());
    });
    const client = connect(port, '127.0.0.1');
    // No 'data' listener yet: the client reads a few KiB into its buffer and stops.
    client.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    // The kernel's buffers are full once the real socket holds bytes it could not hand over.
    await until(() => raw !== undefined && raw.writableLength > 0, 'the socket buffers to fill', 40_000);
    // Each write waits for that socket to drain: it holds one block at most, and the
    // handler is held back (without the wait it would have queued all 128 MiB by now).
    expect(raw!.writableLength).toBeLessThanOrEqual(block.length + 1024);
    expect(written()).toBeLessThan(total);
    const received = await new Promise<number>((resolve, reject) => {
      let head = '';
      let body = -1;
      client.on('data', (c: Buffer) => {
        if (body < 0) {
          head += c.toString('latin1');
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return;
          body = head.length - end - 4;
        } else body += c.length;
        if (body >= total) resolve(body);
      });
      client.on('error', reject);
    });
    client.destroy();
    expect(received).toBe(total);
    expect(written()).toBe(total);
  });
});

describe('what the front cannot frame passes through untouched', () => {
  test("after an Upgrade, the tunnel's bytes are not read as requests: a BITS_POST in it is not rewritten", async () => {
    const { server, port } = await listen((_req, res) => res.end());
    server.on('upgrade', (_req: IncomingMessage, socket: Socket, head: Buffer) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
      if (head.length > 0) socket.write(head);
      socket.on('data', (c: Buffer) => socket.write(c));
      socket.on('end', () => socket.end());
    });
    const client = connect(port, '127.0.0.1');
    let text = '';
    client.on('data', (c: Buffer) => (text += c.toString('latin1')));
    client.write('GET /tunnel HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    await until(() => text.includes('\r\n\r\n'), 'the 101');
    expect(statuses(text)).toEqual([101]);
    // Lines that look like a request, then bytes with no line end, which a framer would hold back.
    const tunnel = 'BITS_POST /inside HTTP/1.1\r\nX-Bits-Method: spoof\r\nContent-Length: 0\r\n\r\nbinary \x00\xff';
    text = '';
    client.write(Buffer.from(tunnel, 'latin1'));
    await until(() => text.length >= tunnel.length, 'the echo');
    expect(text).toBe(tunnel);
    client.end();
    await new Promise((r) => client.once('close', r));
  });

  test('a chunk-size line past maxHeaderSize closes the connection: the client does not wait, and nothing after it reaches Node', async () => {
    const { port } = await listen((req, res) => {
      req.resume();
      req.on('end', () => res.end());
    });
    const head = 'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';
    // No line end: held back for ever, the client would wait for ever; the connection is closed instead.
    const client = connect(port, '127.0.0.1');
    let raw = '';
    client.on('data', (c: Buffer) => (raw += c.toString('latin1')));
    client.on('error', () => undefined); // a reset: the server closed with the client's bytes unread
    client.write(head + 'f'.repeat(70_000));
    await new Promise((r) => client.once('close', r));
    expect(raw).toBe('');

    const f = new BitsRequestFramer();
    expect(Buffer.concat(f.push(Buffer.from(head, 'latin1'))).toString('latin1')).toBe(head);
    expect(f.push(Buffer.from('f'.repeat(70_000), 'latin1'))).toEqual([]);
    expect(f.error).toMatch(/over/);
    expect(f.push(Buffer.from('\r\nBITS_POST /after HTTP/1.1\r\nContent-Length: 0\r\n\r\n', 'latin1'))).toEqual([]);
  });
});
