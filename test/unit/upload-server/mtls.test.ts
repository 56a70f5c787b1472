// Mutual TLS through acceptBitsPost: on an https server, req.socket answers as the
// TLSSocket does, so `authorize` can name the principal from the client's
// certificate (a BITS job sends one set with IBackgroundCopyJobHttpOptions::
// SetClientCertificateByID), and refuse clients without a trusted one.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { acceptBitsPost, createUploadHandler } from '../../../lib/upload-server/index.js';
import type { FinishedUpload } from '../../../lib/upload-server/index.js';
import { PROTOCOL } from '../../support/bits-client.js';
import { ALICE_CERT, ALICE_KEY, CA_CERT, MALLORY_CERT, MALLORY_KEY, SERVER_CERT, SERVER_KEY } from '../../support/tls-certs.js';
import { tlsPacket } from '../../support/tls-client.js';
import type { TlsAnswer } from '../../support/tls-client.js';

let server: Server;
let port: number;
const dir = mkdtempSync(path.join(tmpdir(), 'bits-mtls-'));
const finished: FinishedUpload[] = [];
const seen: { authorized: boolean; error: unknown; protocol: string | null }[] = [];

beforeAll(async () => {
  const handler = createUploadHandler({
    directory: dir,
    // The README's example: the principal is the certificate's subject CN, when the certificate chains to our CA.
    authorize: (req) => {
      const tls = req.socket as unknown as Pick<TLSSocket, 'authorized' | 'authorizationError' | 'getPeerCertificate' | 'getProtocol'>;
      seen.push({ authorized: tls.authorized, error: tls.authorizationError, protocol: tls.getProtocol() });
      return tls.authorized ? String(tls.getPeerCertificate().subject.CN) : false;
    },
    onUpload: (u) => {
      finished.push(u);
    },
  });
  server = acceptBitsPost(createServer({ key: SERVER_KEY, cert: SERVER_CERT, ca: CA_CERT, requestCert: true, rejectUnauthorized: false }, (req, res) => handler(req, res)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** One BITS_POST packet over TLS, with the given client certificate (or none). */
function packet(client: { cert: string; key: string } | null, url: string, headers: Record<string, string>, body?: Buffer): Promise<TlsAnswer> {
  return tlsPacket(port, url, headers, body, { client });
}

describe('mutual TLS', () => {
  test("authorize names the principal from the client certificate, and onUpload hears it", async () => {
    const alice = { cert: ALICE_CERT, key: ALICE_KEY };
    const created = await packet(alice, '/cert.bin', { 'BITS-Packet-Type': 'Create-Session', 'BITS-Supported-Protocols': PROTOCOL });
    expect(created.status).toBe(200);
    const id = String(created.headers['bits-session-id']);
    const content = Buffer.from('signed by the test CA');
    const frag = await packet(alice, '/cert.bin', { 'BITS-Packet-Type': 'Fragment', 'BITS-Session-Id': id, 'Content-Range': `bytes 0-${content.length - 1}/${content.length}` }, content);
    expect(frag.status).toBe(200);
    expect((await packet(alice, '/cert.bin', { 'BITS-Packet-Type': 'Close-Session', 'BITS-Session-Id': id })).status).toBe(200);
    expect(finished).toEqual([expect.objectContaining({ principal: 'alice', size: content.length })]);
    expect(readFileSync(finished[0]!.path).equals(content)).toBe(true);
    // What the handler read is the TLSSocket's own state (Node's tls docs: authorized, getProtocol()).
    expect(seen.at(-1)).toEqual({ authorized: true, error: null, protocol: 'TLSv1.3' });
  });

  test('a certificate from another CA, or none, is refused with 403 and E_ACCESSDENIED', async () => {
    for (const client of [{ cert: MALLORY_CERT, key: MALLORY_KEY }, null]) {
      const a = await packet(client, '/cert.bin', { 'BITS-Packet-Type': 'Create-Session', 'BITS-Supported-Protocols': PROTOCOL });
      expect(a.status).toBe(403);
      expect(a.headers['bits-error-code']).toBe('0x80070005');
      expect(seen.at(-1)?.authorized).toBe(false);
    }
    // Node's tls docs: authorizationError says why the peer's certificate was not verified.
    expect(seen.at(-2)?.error).toBeTruthy();
  });
});
