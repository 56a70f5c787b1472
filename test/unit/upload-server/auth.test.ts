// Credentials as Windows' BITS client sends them: only after the server asks.
// authorize answers { challenge } and the client gets 401 with one
// WWW-Authenticate header per scheme; it then retries with credentials.
import { afterEach, describe, expect, test } from 'vitest';

import type { AuthorizeChallenge } from '../../../lib/upload-server/index.js';
import { BitsClient, PROTOCOL, rawExchange } from '../../support/bits-client.js';
import { startUploads } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

let u: Uploads | undefined;
afterEach(async () => {
  await u?.close();
  u = undefined;
});

const CHALLENGE: AuthorizeChallenge = { challenge: ['Basic realm="uploads", charset="UTF-8"', 'Negotiate'] };
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A Basic check as a backend would write it: a principal for good credentials, a challenge otherwise. */
function authorize(req: { headers: Record<string, string | string[] | undefined> }): string | AuthorizeChallenge {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth === basic('alice', 'secret')) return 'alice';
  return CHALLENGE;
}

describe('authorize answering a challenge', () => {
  test('401 with one WWW-Authenticate header per scheme and the BITS error headers, on the wire', async () => {
    u = await startUploads({ authorize });
    const raw = await rawExchange(
      u.port,
      `BITS_POST /a.bin HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Create-Session\r\nBITS-Supported-Protocols: ${PROTOCOL}\r\nContent-Length: 0\r\n\r\n`,
      (t) => t.includes('\r\n\r\n'),
    );
    // [MC-BUP] 3.1.5.2.1: on 401 the client follows RFC 2617's challenge rules; RFC 7235 4.1:
    // a 401 carries a WWW-Authenticate field for each challenge.
    expect(raw).toMatch(/^HTTP\/1\.1 401 /);
    expect([...raw.matchAll(/\r\nWWW-Authenticate: ([^\r]*)/gi)].map((m) => m[1])).toEqual(['Basic realm="uploads", charset="UTF-8"', 'Negotiate']);
    // [MC-BUP] 2.2.1.2: BITS-Error-Code and BITS-Error-Context on every error.
    expect(raw).toMatch(/\r\nBITS-Packet-Type: Ack\r\n/i);
    expect(raw).toMatch(/\r\nBITS-Error-Code: 0x80190191\r\n/i); // BG_E_HTTP_ERROR_401
    expect(raw).toMatch(/\r\nBITS-Error-Context: 0x5\r\n/i);
    expect(u.sessions()).toEqual([]);
  });

  test('a client that gets 401, then retries with credentials, uploads; wrong credentials get 401 again', async () => {
    u = await startUploads({ authorize, onUpload: (f) => ({ reply: Buffer.from(`for ${f.principal}`) }) });
    const anonymous = new BitsClient(u.base);
    const first = await anonymous.packet('/a.bin', 'Create-Session', { 'BITS-Supported-Protocols': PROTOCOL });
    expect(first.status).toBe(401);
    const schemes = first.headers['www-authenticate'];
    // Node joins repeated WWW-Authenticate fields with ", " (its documented rule for unknown headers).
    expect(String(schemes)).toContain('Basic realm="uploads"');
    const wrong = await new BitsClient(u.base, { headers: { Authorization: basic('alice', 'nope') } }).packet('/a.bin', 'Create-Session', { 'BITS-Supported-Protocols': PROTOCOL });
    expect(wrong.status).toBe(401);
    const alice = new BitsClient(u.base, { headers: { Authorization: basic('alice', 'secret') } });
    const { reply } = await alice.upload('/a.bin', Buffer.from('hello'));
    expect(reply?.toString()).toBe('for alice');
    expect(u.files()).toEqual(['a.bin']);
    // The reply download is challenged too.
    const id = await alice.create('/b.bin');
    const last = await alice.fragment('/b.bin', id, 0, Buffer.from('x'), 1);
    const replyUrl = String(last.headers['bits-reply-url']);
    const denied = await anonymous.send('GET', replyUrl, {});
    expect(denied.status).toBe(401);
    expect(String(denied.headers['www-authenticate'])).toContain('Negotiate');
    expect((await alice.send('GET', replyUrl, {})).body.toString()).toBe('for alice');
  });

  test('a single challenge string; a malformed challenge is a server fault, not a header injection', async () => {
    u = await startUploads({ authorize: (req) => (req.headers['x-bad'] ? { challenge: 'Basic\r\nSet-Cookie: x=1' } : { challenge: 'Basic realm="r"' }) });
    const one = await u.client.ping('/x');
    expect([one.status, one.headers['www-authenticate']]).toEqual([401, 'Basic realm="r"']);
    const bad = await u.client.packet('/x', 'Ping', { 'X-Bad': '1' });
    expect(bad.status).toBe(500);
    expect(bad.headers['set-cookie']).toBeUndefined();
  });
});
