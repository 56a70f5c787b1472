// Proxies on the HTTP path come from the environment (HTTP_PROXY, HTTPS_PROXY,
// NO_PROXY), the curl/wget convention that undici's EnvHttpProxyAgent reads,
// unlike BITS, which uses the system's proxy settings. A CONNECT proxy here logs
// each tunnel it opens.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, expect, test } from 'vitest';

import { fallbackProxyFor } from '../../../lib/fallback/agent.js';
import { httpDownload } from '../../../lib/fallback/http-download.js';
import { startFileServer } from './download-server.js';
import type { FileServer } from './download-server.js';

const NAMES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];
let saved: Record<string, string | undefined>;
let files: FileServer;
let proxy: Server;
let proxyUrl: string;
let tunnels: string[];
let dir: string;

beforeEach(async () => {
  saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));
  for (const n of NAMES) Reflect.deleteProperty(process.env, n);
  files = await startFileServer();
  tunnels = [];
  proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, socket, head) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  dir = mkdtempSync(path.join(tmpdir(), 'bits-proxy-'));
});
afterEach(async () => {
  for (const n of NAMES) {
    if (saved[n] === undefined) Reflect.deleteProperty(process.env, n);
    else process.env[n] = saved[n];
  }
  await files.close();
  proxy.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  rmSync(dir, { recursive: true, force: true });
});

test('HTTP_PROXY sends the download through the proxy; NO_PROXY naming the host bypasses it', async () => {
  const body = randomBytes(100_000);
  files.set('p.bin', { body, etag: '"p"' });
  const target = new URL(files.url('p.bin'));
  process.env.HTTP_PROXY = proxyUrl;
  await httpDownload(files.url('p.bin'), path.join(dir, 'via-proxy.bin'));
  expect(tunnels).toEqual([target.host]);
  expect(readFileSync(path.join(dir, 'via-proxy.bin')).equals(body)).toBe(true);

  process.env.NO_PROXY = target.hostname;
  await httpDownload(files.url('p.bin'), path.join(dir, 'direct.bin'));
  expect(tunnels).toHaveLength(1);
  expect(readFileSync(path.join(dir, 'direct.bin')).equals(body)).toBe(true);
});

test('fallbackProxyFor follows the same rules', () => {
  expect(fallbackProxyFor('http://example.com/a')).toBeNull();
  process.env.HTTP_PROXY = 'http://proxy.local:3128';
  expect(fallbackProxyFor('http://example.com/a')).toBe('http://proxy.local:3128');
  // HTTPS falls back to HTTP_PROXY when HTTPS_PROXY is not set.
  expect(fallbackProxyFor('https://example.com/a')).toBe('http://proxy.local:3128');
  process.env.https_proxy = 'http://secure.local:3129';
  expect(fallbackProxyFor('https://example.com/a')).toBe('http://secure.local:3129');
  process.env.NO_PROXY = '.example.com, other.org:8080';
  expect(fallbackProxyFor('https://www.example.com/a')).toBeNull();
  expect(fallbackProxyFor('http://other.org:8080/a')).toBeNull();
  expect(fallbackProxyFor('http://other.org/a')).toBe('http://proxy.local:3128');
  process.env.NO_PROXY = '*';
  expect(fallbackProxyFor('http://other.org/a')).toBeNull();
});
