// Basic authentication over TLS, the README's worked example: a client without
// credentials gets 401 with the Basic challenge, retries with them as BITS does,
// and uploads as the user it named. Wrong passwords and unknown users get the
// challenge again; the users file is read strictly; passwords never become strings.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { basicAuth, hashPassword, parseUsers } from '../../../lib/upload-server/basic-auth.js';
import { createUploadServer } from '../../../lib/upload-server/index.js';
import type { FinishedUpload, UploadEvent } from '../../../lib/upload-server/index.js';
import { PROTOCOL } from '../../support/bits-client.js';
import { SERVER_CERT, SERVER_KEY } from '../../support/tls-certs.js';
import { tlsPacket } from '../../support/tls-client.js';
import type { TlsAnswer } from '../../support/tls-client.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bits-basic-'));
let server: Server;
let port: number;
const finished: FinishedUpload[] = [];
const events: UploadEvent[] = [];
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  const users = parseUsers(`# uploaders\nalice:${await hashPassword(Buffer.from(PASSWORD))}\n\nbob:${await hashPassword(Buffer.from('other'))}\n`);
  server = createUploadServer(
    { directory: dir, authorize: basicAuth(users, { realm: 'uploads' }), onUpload: (u) => void finished.push(u), onEvent: (e) => events.push(e) },
    { key: SERVER_KEY, cert: SERVER_CERT },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
}, 30_000);
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const packet = (auth: string | null, url: string, headers: Record<string, string>, body?: Buffer): Promise<TlsAnswer> => tlsPacket(port, url, headers, body, { authorization: auth });

describe('Basic over TLS', () => {
  test('401 with the Basic challenge first; the retry with credentials uploads as that user', { timeout: 60_000 }, async () => {
    const create = { 'BITS-Packet-Type': 'Create-Session', 'BITS-Supported-Protocols': PROTOCOL };
    const first = await packet(null, '/basic.bin', create);
    // RFC 7617 2 and 2.1: the challenge names the scheme, the realm and charset="UTF-8".
    expect(first.status).toBe(401);
    expect(first.headers['www-authenticate']).toBe('Basic realm="uploads", charset="UTF-8"');
    const auth = basic('alice', PASSWORD);
    const created = await packet(auth, '/basic.bin', create);
    expect(created.status).toBe(200);
    const id = String(created.headers['bits-session-id']);
    const content = Buffer.from('over TLS, as alice');
    expect((await packet(auth, '/basic.bin', { 'BITS-Packet-Type': 'Fragment', 'BITS-Session-Id': id, 'Content-Range': `bytes 0-${content.length - 1}/${content.length}` }, content)).status).toBe(200);
    expect((await packet(auth, '/basic.bin', { 'BITS-Packet-Type': 'Close-Session', 'BITS-Session-Id': id })).status).toBe(200);
    expect(finished.map((u) => u.principal)).toEqual(['alice']);
    expect(readFileSync(finished[0]!.path).equals(content)).toBe(true);
    // Another user's valid credentials do not reach alice's session (a session belongs to its principal).
    expect((await packet(basic('bob', 'other'), '/basic.bin', { 'BITS-Packet-Type': 'Cancel-Session', 'BITS-Session-Id': id })).status).not.toBe(200);
  });

  test.each([
    ['a wrong password', basic('alice', 'wrong')],
    ['an unknown user', basic('mallory', PASSWORD)],
    ['no colon', `Basic ${Buffer.from('alice').toString('base64')}`],
    ['another scheme', 'Bearer abc'],
    ['bad base64', 'Basic !!!'],
  ])('%s: 401 and the challenge again, and the password is in no event', { timeout: 60_000 }, async (_, auth) => {
    const a = await packet(auth, '/x.bin', { 'BITS-Packet-Type': 'Create-Session', 'BITS-Supported-Protocols': PROTOCOL });
    expect(a.status).toBe(401);
    expect(a.headers['www-authenticate']).toBe('Basic realm="uploads", charset="UTF-8"');
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
    expect(JSON.stringify(events)).not.toContain(auth);
  });

  test('the users file is read strictly, and its errors quote no line', { timeout: 60_000 }, async () => {
    const good = `alice:${await hashPassword(Buffer.from('pw'))}`;
    expect([...parseUsers(good).keys()]).toEqual(['alice']);
    for (const bad of ['alice:plaintext', `alice:${good.slice(6, -10)}`, good.replace('ln=15', 'ln=40'), `${good}\n${good}`, '# nobody\n', `a b:${good.slice(6)}`]) {
      let message = '';
      try {
        parseUsers(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(RangeError);
        message = (e as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain('$scrypt$');
      expect(message).not.toContain('plaintext');
    }
  });

  // scrypt is meant to be slow (tens of ms each on an idle machine): generous timeouts on a busy one.
  test('a hash is salted: the same password twice gives two different lines, both verifying', { timeout: 60_000 }, async () => {
    const a = await hashPassword(Buffer.from('same'));
    const b = await hashPassword(Buffer.from('same'));
    expect(a).not.toBe(b);
    expect(a).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    const check = basicAuth(parseUsers(`u:${a}\nv:${b}`));
    const req = (auth: string): Parameters<typeof check>[0] => ({ headers: { authorization: auth } }) as unknown as Parameters<typeof check>[0];
    expect(await check(req(basic('u', 'same')))).toBe('u');
    expect(await check(req(basic('v', 'same')))).toBe('v');
    expect(await check(req(basic('v', 'Same')))).toEqual({ challenge: 'Basic realm="BITS uploads", charset="UTF-8"' });
  });
});
