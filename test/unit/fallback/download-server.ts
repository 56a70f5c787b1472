// An HTTP file server for the fallback download tests, behaving as RFC 9110 asks
// of an origin server: ETag and Last-Modified, Range with If-Range (a validator
// that does not match sends the whole entity, 200), 416 with `bytes */size` for a
// range past the end, or no range support at all (ranges ignored). Each request
// is logged with the bytes of body it was sent, so a test can count what a resume
// fetched. One-shot scripted answers (a 503 with Retry-After, a short body...)
// take precedence over the file, in the order queued.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Entity {
  body: Buffer;
  etag?: string | null;
  lastModified?: string | null;
  /** false: Range is ignored and no Accept-Ranges is sent. */
  ranges?: boolean;
}

export interface Logged {
  path: string;
  headers: IncomingHttpHeaders;
  status: number;
  /** Body bytes written to the socket for this request. */
  bytes: number;
  at: number;
}

export type Scripted = (req: IncomingMessage, res: ServerResponse) => void;

export interface FileServer {
  url(name: string): string;
  set(name: string, entity: Entity): void;
  /** The next request for `name` gets this answer instead of the file. */
  queue(name: string, answer: Scripted): void;
  log: Logged[];
  /** Bytes of body sent for `name` over all requests. */
  served(name: string): number;
  /** Milliseconds to wait between 256 KiB chunks (0: the body in one write). */
  chunkDelayMs: number;
  close(): Promise<void>;
}

const CHUNK = 256 * 1024;

export async function startFileServer(): Promise<FileServer> {
  const files = new Map<string, Entity>();
  const scripts = new Map<string, Scripted[]>();
  const log: Logged[] = [];
  const state = { chunkDelayMs: 0 };

  const serve = (req: IncomingMessage, res: ServerResponse, entry: Logged): void => {
    const entity = files.get(entry.path);
    if (!entity) {
      entry.status = 404;
      res.writeHead(404, { 'Content-Length': '9' }).end('not found');
      return;
    }
    const { body } = entity;
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
    if (entity.etag) headers.ETag = entity.etag;
    if (entity.lastModified) headers['Last-Modified'] = entity.lastModified;
    if (entity.ranges !== false) headers['Accept-Ranges'] = 'bytes';
    let start = 0;
    let status = 200;
    const range = entity.ranges === false ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    // If-Range (RFC 9110 13.1.5): the range only when the validator matches exactly (strong comparison).
    const ifRange = req.headers['if-range'];
    const matches = ifRange === undefined || ifRange === entity.etag || ifRange === entity.lastModified;
    if (range?.[1] && matches) {
      start = Number(range[1]);
      if (start >= body.length) {
        entry.status = 416;
        res.writeHead(416, { ...headers, 'Content-Range': `bytes */${body.length}`, 'Content-Length': '0' }).end();
        return;
      }
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    }
    headers['Content-Length'] = String(body.length - start);
    entry.status = status;
    res.writeHead(status, headers);
    let offset = start;
    const pump = (): void => {
      while (offset < body.length) {
        const slice = body.subarray(offset, state.chunkDelayMs ? Math.min(body.length, offset + CHUNK) : body.length);
        offset += slice.length;
        entry.bytes += slice.length;
        const more = res.write(slice);
        if (offset >= body.length) break;
        if (state.chunkDelayMs) return void setTimeout(pump, state.chunkDelayMs);
        if (!more) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };

  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/').slice(1);
    const entry: Logged = { path, headers: req.headers, status: 0, bytes: 0, at: Date.now() };
    log.push(entry);
    const scripted = scripts.get(path)?.shift();
    if (scripted) {
      const writeHead = res.writeHead.bind(res);
      res.writeHead = ((code: number, ...rest: never[]) => {
        entry.status = code;
        return writeHead(code, ...rest);
      });
      return scripted(req, res);
    }
    serve(req, res, entry);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    set: (name, entity) => void files.set(name, entity),
    queue: (name, answer) => {
      const list = scripts.get(name) ?? [];
      list.push(answer);
      scripts.set(name, list);
    },
    log,
    served: (name) => log.filter((l) => l.path === name).reduce((n, l) => n + l.bytes, 0),
    get chunkDelayMs() {
      return state.chunkDelayMs;
    },
    set chunkDelayMs(ms: number) {
      state.chunkDelayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
