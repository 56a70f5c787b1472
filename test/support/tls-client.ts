// A BITS client's packet over TLS, for the upload server's TLS tests: one
// BITS_POST to 127.0.0.1 on a connection of its own, trusting the test CA
// (tls-certs.ts), with Basic credentials or a client certificate when given.
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';

import { CA_CERT } from './tls-certs.js';

export interface TlsAnswer {
  status: number;
  headers: IncomingHttpHeaders;
}

export interface TlsCredentials {
  /** The Authorization header; none when null or absent. */
  authorization?: string | null;
  /** The client certificate and its key; none when null or absent. */
  client?: { cert: string; key: string } | null;
}

/** One packet: `headers` plus Content-Length, `body` as the request body; resolves once the answer's body is read. */
export function tlsPacket(port: number, path: string, headers: Record<string, string>, body: Buffer = Buffer.alloc(0), credentials: TlsCredentials = {}): Promise<TlsAnswer> {
  const h: Record<string, string> = { 'Content-Length': String(body.length), ...headers };
  if (typeof credentials.authorization === 'string') h.Authorization = credentials.authorization;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'BITS_POST', ca: CA_CERT, ...(credentials.client ?? {}), agent: false, headers: h }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
