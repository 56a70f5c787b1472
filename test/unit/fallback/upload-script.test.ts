// The upload client against a scripted server giving each answer of [MC-BUP]
// 3.1.5's client state machine. Each expectation cites the section that asks it
// of a client; the server's answers are scripted here, not taken from our server.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { BitsError } from '../../../lib/errors.js';
import { httpUpload } from '../../../lib/fallback/upload-client.js';
import { startScriptServer } from './bup-script-server.js';
import type { ScriptServer } from './bup-script-server.js';

let server: ScriptServer;
let dir: string;
let local: string;
let data: Buffer;
const KiB = 1024;
beforeEach(async () => {
  server = await startScriptServer();
  dir = mkdtempSync(path.join(tmpdir(), 'bits-bup-'));
  local = path.join(dir, 'payload.bin');
  data = randomBytes(200 * KiB + 3);
  writeFileSync(local, data);
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const fragments = (): Array<{ first: number; last: number; total: number }> => server.log.filter((p) => p.type === 'fragment').map((p) => p.range as { first: number; last: number; total: number });
const only = (): ReturnType<ScriptServer['file']> => server.file([...server.sessions.values()].at(-1) as never);
const quick = { retry: { attempts: 2, baseDelayMs: 1 } };

describe('httpUpload against a scripted BITS server', () => {
  test('Ping, Create-Session offering the protocol GUID, fragments in order, Close-Session', async () => {
    const result = await httpUpload(server.url, local, { fragmentSize: 64 * KiB });
    expect(result).toEqual({ bytesTransferred: data.length, bytesTotal: data.length });
    // 3.1.5.1.3 then 3.1.5.1.2 (Microsoft's Ping page: ping before Create-Session), 3.1.5.1.4, 3.1.5.1.5.
    expect(server.log.map((p) => p.type)).toEqual(['ping', 'create-session', 'fragment', 'fragment', 'fragment', 'fragment', 'close-session']);
    // 2.2.2.2: BITS-Supported-Protocols lists the protocol GUID.
    expect(server.log[1]?.headers['bits-supported-protocols']).toBe('{7df0354d-249b-430f-820d-3d2a9bef4931}');
    // Microsoft's Fragment page: Content-Name only with the first fragment.
    expect(server.log[2]?.headers['content-name']).toBe('payload.bin');
    expect(server.log[3]?.headers['content-name']).toBeUndefined();
    expect(fragments().map((r) => r.first)).toEqual([0, 65536, 131072, 196608]);
    expect(only().equals(data)).toBe(true);
    expect([...server.sessions.values()][0]?.closed).toBe(true);
  });

  test('413: fragments get smaller until the server takes them (3.1.5.2.4, 3.1.5.1.7)', async () => {
    server.override((p) => (p.type === 'fragment' && (p.range?.last ?? 0) - (p.range?.first ?? 0) + 1 > 32 * KiB ? { status: 413, headers: { 'BITS-Packet-Type': 'Ack', 'BITS-Error-Code': '0x80200020', 'BITS-Error-Context': '0x5' } } : undefined), true);
    await httpUpload(server.url, local, { fragmentSize: 128 * KiB });
    const sizes = fragments().map((r) => r.last - r.first + 1);
    expect(sizes.slice(0, 3)).toEqual([128 * KiB, 64 * KiB, 32 * KiB]);
    expect(sizes.slice(3).every((n) => n <= 32 * KiB)).toBe(true);
    expect(only().equals(data)).toBe(true);
  });

  test('416 ahead: the next fragment starts at the server’s BITS-Received-Content-Range (3.1.5.2.4)', async () => {
    // The server already has more than the client knows (say an Ack was lost).
    let answered = false;
    server.override((p, s) => {
      if (p.type !== 'fragment' || answered || !s || p.range?.first !== 64 * KiB) return undefined;
      answered = true;
      s.data.push(data.subarray(64 * KiB, 100 * KiB));
      s.received = 100 * KiB;
      return { status: 416, headers: { 'BITS-Packet-Type': 'Ack', 'BITS-Session-Id': s.id, 'BITS-Received-Content-Range': String(100 * KiB) } };
    }, true);
    await httpUpload(server.url, local, { fragmentSize: 64 * KiB });
    expect(fragments().map((r) => r.first)).toEqual([0, 64 * KiB, 100 * KiB, 164 * KiB]);
    expect(only().equals(data)).toBe(true);
  });

  test('416 behind: the client sends again from where the server is', async () => {
    let lost = false;
    // The server dropped the second fragment after acking it: the third is answered 416 with the older offset.
    server.override((p, s) => {
      if (p.type !== 'fragment' || lost || !s || p.range?.first !== 128 * KiB) return undefined;
      lost = true;
      s.data.pop();
      s.received = 64 * KiB;
      return { status: 416, headers: { 'BITS-Packet-Type': 'Ack', 'BITS-Session-Id': s.id, 'BITS-Received-Content-Range': String(64 * KiB) } };
    }, true);
    await httpUpload(server.url, local, { fragmentSize: 64 * KiB });
    expect(fragments().map((r) => r.first)).toEqual([0, 64 * KiB, 128 * KiB, 64 * KiB, 128 * KiB, 192 * KiB]);
    expect(only().equals(data)).toBe(true);
  });

  test('BG_E_SESSION_NOT_FOUND: the client creates the session again and starts from 0 (3.1.5.2.1, 3.1.5.1.7)', async () => {
    server.override((p) => (p.type === 'fragment' && p.range?.first === 128 * KiB ? { status: 500, headers: { 'BITS-Packet-Type': 'Ack', 'BITS-Error-Code': '0x8020001F', 'BITS-Error-Context': '0x5' } } : undefined));
    await httpUpload(server.url, local, { fragmentSize: 64 * KiB });
    expect(server.log.filter((p) => p.type === 'create-session')).toHaveLength(2);
    expect(fragments().map((r) => r.first)).toEqual([0, 64 * KiB, 128 * KiB, 0, 64 * KiB, 128 * KiB, 192 * KiB]);
    expect(only().equals(data)).toBe(true);
  });

  const refusals: Array<[string, number, Record<string, string>, string, string, boolean]> = [
    // status, headers, expected code, expected context, retried
    ['403 E_ACCESSDENIED from the server (context 0x5)', 403, { 'BITS-Error-Code': '0x80070005', 'BITS-Error-Context': '0x5' }, 'E_ACCESSDENIED', 'remote-file', false],
    ['501 E_ACCESSDENIED: uploads not enabled', 501, { 'BITS-Error-Code': '0x80070005', 'BITS-Error-Context': '0x5' }, 'E_ACCESSDENIED', 'remote-file', false],
    ['400 E_INVALIDARG: headers the server finds wrong', 400, { 'BITS-Error-Code': '0x80070057', 'BITS-Error-Context': '0x5' }, 'E_INVALIDARG', 'remote-file', false],
    ['500 from the server application (context 0x7)', 500, { 'BITS-Error-Code': '0x80004005', 'BITS-Error-Context': '0x7' }, 'E_FAIL', 'remote-application', true],
    ['503 without BITS-Error: the HTTP status as BITS names it', 503, {}, 'BG_E_HTTP_ERROR_503', 'remote-file', true],
  ];
  test.each(refusals)('%s reaches the caller with its code and context (3.1.5.2.1)', async (_what, status, headers, code, context, retried) => {
    server.override((p) => (p.type === 'fragment' ? { status, headers: { 'BITS-Packet-Type': 'Ack', ...headers } } : undefined), true);
    const e = await httpUpload(server.url, local, { fragmentSize: 64 * KiB, ...quick }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BitsError);
    expect(e).toMatchObject({ code, context });
    // 4xx but 408/409 and 501/505 are fatal for BITS ("Handling Server Application Errors"); the rest are retried.
    expect(fragments()).toHaveLength(retried ? 3 : 1);
    // After a failure the session is cancelled (3.1.5.1.6), so the server frees it.
    expect(server.log.at(-1)?.type).toBe('cancel-session');
  });

  test('a 200 that is not an Ack (a plain web server) is refused, not taken for success (3.1.5.2)', async () => {
    server.override((p) => (p.type === 'ping' ? { status: 200, headers: {} } : undefined));
    await expect(httpUpload(server.url, local, quick)).rejects.toMatchObject({ code: 'BG_E_INVALID_SERVER_RESPONSE' });
  });

  test('an Ack for Create-Session choosing another protocol is refused (2.2.3.2)', async () => {
    server.override((p) => (p.type === 'create-session' ? { status: 200, headers: { 'BITS-Packet-Type': 'Ack', 'BITS-Protocol': '{00000000-0000-0000-0000-000000000000}', 'BITS-Session-Id': '{x}' } } : undefined));
    await expect(httpUpload(server.url, local, quick)).rejects.toMatchObject({ code: 'BG_E_INVALID_SERVER_RESPONSE' });
    expect(fragments()).toHaveLength(0);
  });

  test('a fragment Ack without BITS-Received-Content-Range, or past the end, is refused (2.2.7.2)', async () => {
    server.override((p, s) => (p.type === 'fragment' ? { status: 200, headers: { 'BITS-Packet-Type': 'Ack', 'BITS-Session-Id': s?.id ?? '' } } : undefined));
    await expect(httpUpload(server.url, local, quick)).rejects.toMatchObject({ code: 'BG_E_INVALID_SERVER_RESPONSE' });
    server.override((p, s) => (p.type === 'fragment' ? { status: 200, headers: { 'BITS-Packet-Type': 'Ack', 'BITS-Session-Id': s?.id ?? '', 'BITS-Received-Content-Range': String(data.length + 1) } } : undefined));
    await expect(httpUpload(server.url, local, quick)).rejects.toMatchObject({ code: 'BG_E_INVALID_SERVER_RESPONSE' });
  });

  test('upload-reply: the reply is fetched from BITS-Reply-URL before Close-Session (3.1.5.1.8, 1.3.3)', async () => {
    const reply = randomBytes(5000);
    server.replies.set('/replies/r1', reply);
    server.override((p, s) => {
      if (p.type !== 'fragment' || !s || p.range?.last !== data.length - 1) return undefined;
      s.data.push(p.body.subarray(s.received - (p.range.first ?? 0)));
      s.received = data.length;
      return { status: 200, headers: { 'BITS-Packet-Type': 'Ack', 'BITS-Session-Id': s.id, 'BITS-Received-Content-Range': String(data.length), 'BITS-Reply-URL': '/replies/r1' } };
    });
    const replyPath = path.join(dir, 'reply.bin');
    const result = await httpUpload(server.url, local, { replyPath, fragmentSize: 64 * KiB });
    expect(result.replyPath).toBe(replyPath);
    expect(readFileSync(replyPath).equals(reply)).toBe(true);
    expect(server.log.at(-1)?.type).toBe('close-session');
  });

  test('upload-reply without BITS-Reply-URL on the last Ack is an error (3.1.5.2.4)', async () => {
    const e = await httpUpload(server.url, local, { replyPath: path.join(dir, 'r.bin'), ...quick }).catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'BitsError', code: 'BG_E_INVALID_SERVER_RESPONSE' });
  });
});
