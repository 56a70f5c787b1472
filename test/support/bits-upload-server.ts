// A server speaking the BITS upload protocol (BITS_POST with Ping, Create-Session,
// Fragment, Close-Session, Cancel-Session), as IIS's BITS extensions do, so that
// upload and upload-reply jobs can be tested against 127.0.0.1. Upload-reply: the
// server answers the last fragment with BITS-Reply-URL, which BITS then fetches.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const PROTOCOL = '{7df0354d-249b-430f-820d-3d2a9bef4931}';

export interface UploadServer {
  url(name: string): string;
  /** Files completed by Close-Session, by path. */
  received: Map<string, Buffer>;
  close(): Promise<void>;
}

export async function startUploadServer(reply?: (body: Buffer) => Buffer): Promise<UploadServer> {
  const sessions = new Map<string, { path: string; chunks: Buffer[]; total: number; reply?: Buffer }>();
  const received = new Map<string, Buffer>();
  const replies = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && replies.has(path)) {
      const body = replies.get(path)!;
      res.writeHead(200, { 'Content-Length': String(body.length), 'Accept-Ranges': 'bytes' }).end(body);
      return;
    }
    if (req.method !== 'BITS_POST') {
      res.writeHead(405, { 'Content-Length': '0' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const type = String(req.headers['bits-packet-type'] ?? '').toLowerCase();
      const id = String(req.headers['bits-session-id'] ?? '');
      const ack = (extra: Record<string, string> = {}): void => {
        res.writeHead(200, { 'BITS-Packet-Type': 'Ack', 'Content-Length': '0', ...extra }).end();
      };
      if (type === 'ping') return ack();
      if (type === 'create-session') {
        const session = `{${randomUUID()}}`;
        sessions.set(session, { path, chunks: [], total: 0 });
        return ack({ 'BITS-Protocol': PROTOCOL, 'BITS-Session-Id': session, 'Accept-Encoding': 'Identity' });
      }
      const s = sessions.get(id);
      if (!s) {
        res.writeHead(400, { 'BITS-Packet-Type': 'Ack', 'BITS-Error-Code': '0x8020001F', 'BITS-Error-Context': '0x5', 'Content-Length': '0' }).end();
        return;
      }
      if (type === 'fragment') {
        const range = /bytes (\d+)-(\d+)\/(\d+)/.exec(req.headers['content-range'] ?? '');
        if (!range) return ack({ 'BITS-Session-Id': id });
        s.chunks.push(Buffer.concat(chunks));
        s.total = Number(range[3]);
        const end = Number(range[2]) + 1;
        const extra: Record<string, string> = { 'BITS-Session-Id': id, 'BITS-Received-Content-Range': String(end) };
        if (end === s.total && reply) {
          const replyPath = `/reply/${id.slice(1, -1)}`;
          replies.set(replyPath, reply(Buffer.concat(s.chunks)));
          extra['BITS-Reply-URL'] = replyPath;
        }
        return ack(extra);
      }
      if (type === 'close-session') {
        received.set(s.path, Buffer.concat(s.chunks));
        sessions.delete(id);
        return ack({ 'BITS-Session-Id': id });
      }
      if (type === 'cancel-session') {
        sessions.delete(id);
        return ack({ 'BITS-Session-Id': id });
      }
      ack();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
