// What the upload benches share: the yardstick every upload figure is a ratio
// to, and the two clients that feed it and the BITS handler the same bytes.
// The yardstick is a plain node:http server that streams each PUT into its file
// at the offset the query names and answers only after fsync, as the handler
// must before it acks a fragment ([MC-BUP] 3.2.5.2.2), so the two do the same
// durable work per byte.
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { request } from 'node:http';
import { pipeline } from 'node:stream/promises';

/** The yardstick's request handler; `fileFor(url)` names the file a PUT goes to. */
export function putYardstick(fileFor) {
  return async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const file = fileFor(url);
    const offset = Number(url.searchParams.get('offset'));
    await pipeline(req, createWriteStream(file, { flags: offset === 0 ? 'w' : 'r+', start: offset }));
    // fsync flushes the file's data whichever descriptor asks (the stream has closed its own).
    const fh = await open(file, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    res.writeHead(200, { 'Content-Length': '0' }).end();
  };
}

/** One request on `agent`; resolves with the headers and body of a 2xx answer, rejects otherwise. */
export function send(agent, port, method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: url, agent, headers: { 'Content-Length': String(body?.length ?? 0), ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode < 300 ? resolve({ headers: res.headers, body: Buffer.concat(chunks) }) : reject(new Error(`${method} ${url}: ${res.statusCode} ${JSON.stringify(res.headers)}`))));
    });
    req.on('error', (e) => reject(new Error(`${method} ${url} (port ${port}): ${e.message}`)));
    req.end(body);
  });
}

/** One file of `total` bytes through a BITS upload server as [MC-BUP] packets, in fragments of `data`'s size. */
export async function bitsUpload(agent, port, name, data, total) {
  const created = await send(agent, port, 'BITS_POST', `/${name}`, { 'BITS-Packet-Type': 'Create-Session', 'BITS-Supported-Protocols': '{7df0354d-249b-430f-820d-3d2a9bef4931}' });
  const id = created.headers['bits-session-id'];
  for (let first = 0; first < total; first += data.length) {
    const n = Math.min(data.length, total - first);
    await send(agent, port, 'BITS_POST', `/${name}`, { 'BITS-Packet-Type': 'Fragment', 'BITS-Session-Id': id, 'Content-Range': `bytes ${first}-${first + n - 1}/${total}` }, data.subarray(0, n));
  }
  await send(agent, port, 'BITS_POST', `/${name}`, { 'BITS-Packet-Type': 'Close-Session', 'BITS-Session-Id': id });
}

/** The same bytes to the yardstick as PUTs of `data`'s size; `query` is added to each URL (e.g. `name=s1&`). */
export async function putUpload(agent, port, data, total, query = '') {
  for (let first = 0; first < total; first += data.length) await send(agent, port, 'PUT', `/?${query}offset=${first}`, {}, data.subarray(0, Math.min(data.length, total - first)));
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
