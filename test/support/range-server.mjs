// A small HTTP/1.1 file server on 127.0.0.1 for the tests, the bench and the CI
// smoke step: sizes in Content-Length, Range requests (BITS needs both), HEAD,
// optional throttling, and a log of the request headers it saw. Plain JavaScript
// (types in range-server.d.mts) because the bench and scripts/smoke.mjs run it
// under plain Node, where TypeScript cannot be loaded; the tests import it through
// http-server.ts. One implementation for all of them.
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { clearInterval, setInterval } from 'node:timers';

/**
 * @param {Record<string, Buffer>} [files] served at /<name>
 * @param {{ bytesPerSecond?: number; tls?: { key: Buffer; cert: Buffer }; hold?: Promise<unknown> }} [options]
 */
export async function startServer(files = {}, options = {}) {
  const store = new Map(Object.entries(files).map(([k, v]) => [`/${k}`, v]));
  /** @type {Array<{ method: string; path: string; headers: import('node:http').IncomingHttpHeaders }>} */
  const requests = [];
  /** @type {import('node:http').RequestListener} */
  const handle = (req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    requests.push({ method: req.method ?? '', path, headers: req.headers });
    const body = store.get(path);
    if (!body) {
      res.writeHead(404, { 'Content-Length': '9' }).end('not found');
      return;
    }
    let start = 0;
    let end = body.length - 1;
    let status = 200;
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      if (range[1]) start = Number(range[1]);
      if (range[2]) end = range[1] ? Math.min(Number(range[2]), end) : body.length - 1;
      if (!range[1] && range[2]) start = body.length - Number(range[2]);
      if (start > end || start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      status = 206;
    }
    /** @type {Record<string, string>} */
    const headers = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(end - start + 1),
      'Accept-Ranges': 'bytes',
      'Last-Modified': 'Wed, 01 Jan 2025 00:00:00 GMT',
    };
    if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${body.length}`;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const slice = body.subarray(start, end + 1);
    if (options.hold) {
      // Headers now, the body once the test lets it go.
      res.flushHeaders();
      void options.hold.then(() => res.destroyed || res.end(slice));
      return;
    }
    if (!options.bytesPerSecond) {
      res.end(slice);
      return;
    }
    // Throttled: 20 chunks a second, so progress can be watched moving.
    const chunk = Math.max(1, Math.floor(options.bytesPerSecond / 20));
    let offset = 0;
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      const next = slice.subarray(offset, offset + chunk);
      offset += next.length;
      if (offset >= slice.length) {
        clearInterval(timer);
        res.end(next);
      } else res.write(next);
    }, 50);
    res.on('close', () => clearInterval(timer));
  };
  const server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handle) : createServer(handle);
  // Idle connections stay open until close(). Node closes one once keepAliveTimeout
  // (5 s) has passed since its last response, and when that close meets the
  // next request Wine's BITS fails the job for good (the README's Wine list;
  // test/integration/fixtures/keepalive-race.mjs). 0 turns that timer off.
  server.keepAliveTimeout = 0;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    /** @param {string} name */
    url: (name) => `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/${name}`,
    /** @param {string} name @param {Buffer} body */
    add: (name, body) => void store.set(`/${name}`, body),
    requests,
    // Ends every response in progress by destroying its connection. Under Wine
    // this is the one safe way to stop a running download: Wine then calls the
    // job transferred (with a short file), where cancelling a job mid-transfer
    // kills its BITS service (README, "Testing on Linux with Wine").
    dropConnections: () => server.closeAllConnections(),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
