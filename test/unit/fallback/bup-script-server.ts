// A scripted BITS upload server for the client's tests: a small in-memory server
// following [MC-BUP] 3.2 (sessions, fragments appended at the expected offset,
// 416 with BITS-Received-Content-Range otherwise, Close-Session), whose answers a
// test replaces one packet at a time to give each answer of the client state
// machine (3.1.5): 413, 416 ahead or behind, errors with each context, a lost
// session, a reply. Every packet is logged. Only acceptBitsPost comes from the
// package, to let node:http read the BITS_POST method at all.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { acceptBitsPost } from '../../../lib/upload-server/index.js';

export interface Packet {
  type: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** first-last/total of a fragment. */
  range?: { first: number; last: number; total: number };
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
}

/** Returns an answer to replace the server's own, or undefined to let it answer. */
export type Override = (p: Packet, session: Session | undefined) => Reply | undefined;

export interface Session {
  id: string;
  data: Buffer[];
  received: number;
  closed: boolean;
}

export interface ScriptServer {
  url: string;
  base: string;
  log: Packet[];
  sessions: Map<string, Session>;
  /** Overrides, tried in order for each packet; one that answers is used up unless `sticky`. */
  override(fn: Override, sticky?: boolean): void;
  /** A finished upload's bytes. */
  file(session: Session): Buffer;
  /** GET answers for reply URLs. */
  replies: Map<string, Buffer>;
  close(): Promise<void>;
}

const PROTOCOL = '{7df0354d-249b-430f-820d-3d2a9bef4931}';

export async function startScriptServer(): Promise<ScriptServer> {
  const log: Packet[] = [];
  const sessions = new Map<string, Session>();
  const overrides: Array<{ fn: Override; sticky: boolean }> = [];
  const replies = new Map<string, Buffer>();

  const own = (p: Packet, s: Session | undefined): Reply => {
    const ack = (headers: Record<string, string> = {}, status = 200): Reply => ({ status, headers: { 'BITS-Packet-Type': 'Ack', ...headers } });
    switch (p.type) {
      case 'ping':
        return ack();
      case 'create-session': {
        const id = `{${randomUUID()}}`;
        sessions.set(id, { id, data: [], received: 0, closed: false });
        return ack({ 'BITS-Protocol': PROTOCOL, 'BITS-Session-Id': id, 'Accept-Encoding': 'Identity' });
      }
      case 'fragment': {
        if (!s) return ack({ 'BITS-Error-Code': '0x8020001F', 'BITS-Error-Context': '0x5' }, 500);
        const r = p.range as NonNullable<Packet['range']>;
        if (r.first > s.received) return ack({ 'BITS-Session-Id': s.id, 'BITS-Received-Content-Range': String(s.received) }, 416);
        const fresh = p.body.subarray(s.received - r.first);
        s.data.push(fresh);
        s.received += fresh.length;
        return ack({ 'BITS-Session-Id': s.id, 'BITS-Received-Content-Range': String(s.received) });
      }
      case 'close-session':
      case 'cancel-session':
        if (!s) return ack({ 'BITS-Error-Code': '0x8020001F', 'BITS-Error-Context': '0x5' }, 500);
        s.closed = true;
        return ack({ 'BITS-Session-Id': s.id });
      default:
        return ack({ 'BITS-Error-Code': '0x80070057', 'BITS-Error-Context': '0x5' }, 400);
    }
  };

  const server: Server = acceptBitsPost(
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'GET') {
          const reply = replies.get(req.url ?? '');
          if (!reply) return void res.writeHead(404, { 'Content-Length': '0' }).end();
          return void res.writeHead(200, { 'Content-Length': String(reply.length), ETag: '"reply"' }).end(reply);
        }
        const type = String(req.headers['bits-packet-type'] ?? '').toLowerCase();
        const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(req.headers['content-range'] ?? '');
        const p: Packet = { type, headers: req.headers, body: Buffer.concat(chunks) };
        if (m) p.range = { first: Number(m[1]), last: Number(m[2]), total: Number(m[3]) };
        log.push(p);
        const s = sessions.get(String(req.headers['bits-session-id'] ?? ''));
        let reply: Reply | undefined;
        for (const [i, o] of overrides.entries()) {
          reply = o.fn(p, s);
          if (reply) {
            if (!o.sticky) overrides.splice(i, 1);
            break;
          }
        }
        reply ??= own(p, s);
        res.writeHead(reply.status, { 'Content-Length': '0', ...reply.headers }).end();
      });
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/uploads/file.bin`,
    base,
    log,
    sessions,
    override: (fn, sticky = false) => void overrides.push({ fn, sticky }),
    file: (s) => Buffer.concat(s.data),
    replies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
