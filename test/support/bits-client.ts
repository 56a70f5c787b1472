// A BITS upload client for the tests, written from Microsoft's "BITS Upload
// Protocol" pages and [MC-BUP] (not from the server's code): BITS_POST packets
// Ping, Create-Session, Fragment, Close-Session and Cancel-Session, and the
// client's rules for acks: the session id comes from Create-Session's ack, the
// next fragment starts at the ack's BITS-Received-Content-Range (also after a
// 416), an upload-reply job fetches BITS-Reply-URL, and Close-Session ends it.
import { request } from 'node:http';
import type { Agent, IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/** The protocol GUID a BITS 1.5+ client offers. */
export const PROTOCOL = '{7df0354d-249b-430f-820d-3d2a9bef4931}';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ClientOptions {
  /** A keep-alive agent, as BITS reuses its connection. */
  agent?: Agent;
  /** Headers on every request (Authorization, say). */
  headers?: Record<string, string>;
}

/** Speaks BITS_POST to `base` (http://127.0.0.1:port). */
export class BitsClient {
  constructor(
    readonly base: string,
    readonly options: ClientOptions = {},
  ) {}

  /** One HTTP request; resolves with the whole answer. */
  send(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
    const url = new URL(path, this.base);
    return new Promise((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method, headers: { ...this.options.headers, ...headers }, agent: this.options.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** A BITS_POST packet. Packets without a body still send Content-Length: 0, as BITS does. */
  packet(path: string, type: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Answer> {
    return this.send('BITS_POST', path, { 'BITS-Packet-Type': type, 'Content-Length': String(body?.length ?? 0), ...headers }, body);
  }

  ping(path: string): Promise<Answer> {
    return this.packet(path, 'Ping');
  }

  /** Create-Session; throws unless acked with our protocol and a session id. */
  async create(path: string, protocols = PROTOCOL): Promise<string> {
    const a = await this.packet(path, 'Create-Session', { 'BITS-Supported-Protocols': protocols });
    const id = a.headers['bits-session-id'];
    if (a.status !== 200 || typeof id !== 'string' || a.headers['bits-protocol']?.toString().toLowerCase() !== PROTOCOL) {
      throw new Error(`Create-Session refused: ${a.status} ${JSON.stringify(a.headers)}`);
    }
    return id;
  }

  /** A Fragment of `content` holding bytes first..first+data.length-1 of `total`. */
  fragment(path: string, session: string, first: number, data: Buffer, total: number): Promise<Answer> {
    return this.packet(path, 'Fragment', { 'BITS-Session-Id': session, 'Content-Range': `bytes ${first}-${first + data.length - 1}/${total}` }, data);
  }

  close(path: string, session: string): Promise<Answer> {
    return this.packet(path, 'Close-Session', { 'BITS-Session-Id': session });
  }

  cancel(path: string, session: string): Promise<Answer> {
    return this.packet(path, 'Cancel-Session', { 'BITS-Session-Id': session });
  }

  /**
   * A whole upload as the BITS client runs it: fragments from the offset the
   * server acknowledges, the reply (when BITS-Reply-URL comes), Close-Session.
   */
  async upload(path: string, content: Buffer, fragmentSize = 64 * 1024, session?: string): Promise<{ session: string; acks: Answer[]; reply?: Buffer }> {
    const id = session ?? (await this.create(path));
    const acks: Answer[] = [];
    let offset = 0;
    let last: Answer | undefined;
    while (offset < content.length) {
      last = await this.fragment(path, id, offset, content.subarray(offset, offset + fragmentSize), content.length);
      acks.push(last);
      const next = Number(last.headers['bits-received-content-range']);
      if ((last.status !== 200 && last.status !== 416) || !Number.isSafeInteger(next)) throw new Error(`Fragment refused: ${last.status} ${JSON.stringify(last.headers)}`);
      offset = next;
    }
    let reply: Buffer | undefined;
    const replyUrl = last?.headers['bits-reply-url'];
    if (typeof replyUrl === 'string') reply = (await this.send('GET', replyUrl, {})).body;
    const closed = await this.close(path, id);
    if (closed.status !== 200) throw new Error(`Close-Session refused: ${closed.status}`);
    return reply === undefined ? { session: id, acks } : { session: id, acks, reply };
  }
}

/**
 * Writes `bytes` on one raw connection (pipelined requests, say) and resolves
 * with everything the server sent back once `done` says the answer is complete.
 */
export function rawExchange(port: number, bytes: Buffer | string, done: (received: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (done(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    socket.write(bytes);
  });
}

/** The status codes of every response in a raw exchange, in order. */
export function statuses(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
}
