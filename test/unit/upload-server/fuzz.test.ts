// Nothing escapes `directory`, and no header can make the server misbehave:
// known-bad names, then fast-check over names, URL paths, Content-Range values,
// packet types, session ids and how a request stream is split.
import { readdirSync } from 'node:fs';
import path from 'node:path';

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { BitsRequestFramer } from '../../../lib/upload-server/framing.js';
import { nameFromUrl, pathFromUrl, unsafeNameReason, unsafePathReason } from '../../../lib/upload-server/names.js';
import { startUploads } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

let u: Uploads;
beforeAll(async () => {
  u = await startUploads({ maxFileSize: 1 << 20 });
});
afterAll(async () => {
  await u.close();
});

const BAD = [
  '..', '.', '../x', '..\\x', 'a/b', 'a\\b', '/etc/passwd', 'C:\\x', 'C:x', 'a\0b', 'a:b', 'file.txt:stream', 'file.txt::$DATA',
  'CON', 'con', 'NUL.txt', 'nul.tar.gz', 'COM1', 'com9.log', 'LPT1', 'lpt¹', 'AUX .txt', 'PRN', 'x.', 'x ', 'a\nb', 'a|b', 'a*b', 'a?b', 'a"b', '<a>',
  'x'.repeat(256), 'é'.repeat(128), '.bits-sessions', '',
];

describe('file names', () => {
  test.each(BAD)('%j is refused', (name) => {
    expect(unsafeNameReason(name)).not.toBeNull();
  });

  test.each(['report.bin', 'a.b.c', '.hidden', 'con_', 'console.log', 'COM10', 'dump 2026-11-27.dmp', 'x'.repeat(255), 'é'.repeat(127), '日本語.txt'])('%j is accepted', (name) => {
    expect(unsafeNameReason(name)).toBeNull();
  });

  test('encoded slashes and dots in the URL decode into the name, where the check refuses them', () => {
    for (const url of ['/up/..%2F..%2Fetc%2Fpasswd', '/up/a%5Cb', '/up/%2e%2e', '/up/a%00b', '/up/a%3Ab', '/up/CON', '/up/'])
      expect(unsafeNameReason(nameFromUrl(url))).not.toBeNull();
    expect(nameFromUrl('/a/b/c%20d.bin?x=1')).toBe('c d.bin');
    expect(nameFromUrl('/a/%E0%A4%A')).toBeNull(); // does not decode
  });

  test('fast-check: every accepted name is one plain segment that stays inside the directory', () => {
    const dir = path.resolve('/srv/uploads');
    const piece = fc.constantFrom('.', '..', '/', '\\', ':', '\0', 'CON', 'nul', 'com1', 'lpt9', ' ', '%2F', 'a', 'é', '\u{1F600}', '\uD800', '$DATA', '*');
    const names = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 80 }), fc.array(piece, { maxLength: 12 }).map((p) => p.join('')));
    fc.assert(
      fc.property(names, (name) => {
        if (unsafeNameReason(name) !== null) return;
        const full = path.resolve(dir, name);
        expect(path.dirname(full)).toBe(dir);
        expect(path.basename(full)).toBe(name);
        expect(name).not.toMatch(/[/\\:\0]/);
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
        expect(name.split('.')[0]?.trim()).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/i);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('fuzzing the server', () => {
  test('fast-check: URL paths through Create-Session and a Fragment never put a file outside the directory', { timeout: 120_000 }, async () => {
    const segment = fc.oneof(
      fc.constantFrom('..', '%2e%2e', '%2F', '%5C', '%00', 'CON', 'x%3Ay', 'ok.bin', '%C0%AF', '.bits-sessions', '', '%'),
      fc.string({ maxLength: 10 }).map(encodeURIComponent),
    );
    const top = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 5 }), async (parts) => {
        const url = `/up/${parts.join('/')}`;
        const created = await u.client.packet(url, 'Create-Session', { 'BITS-Supported-Protocols': '{7df0354d-249b-430f-820d-3d2a9bef4931}' });
        // What the client sends: an HTTP client resolves `..` and `.` segments first.
        const name = pathFromUrl(new URL(url, u.base).pathname);
        if (created.status !== 200) {
          // 400 for a bad segment; 403 for a folder name that an earlier run left as a file.
          expect([400, 403]).toContain(created.status);
          if (created.status === 400) expect(unsafePathReason(name)).not.toBeNull();
          return;
        }
        const id = String(created.headers['bits-session-id']);
        expect((await u.client.fragment(url, id, 0, Buffer.from('x'), 1)).status).toBe(200);
        expect((await u.client.close(url, id)).status).toBe(200);
        // Windows file names ignore case: 'A' may land on an earlier run's 'a'.
        const fold = (n: string): string => (process.platform === 'win32' ? n.toLowerCase() : n);
        const segments = name!.split('/');
        const folder = path.join(u.dir, ...segments.slice(0, -1));
        expect(folder === u.dir || folder.startsWith(u.dir + path.sep)).toBe(true);
        top.add(segments[0]!);
        expect(readdirSync(folder).map(fold)).toContain(fold(segments.at(-1)!));
      }),
      { numRuns: 150 },
    );
    // Nothing but what the URLs named beside the sessions folder, and no session is left behind.
    expect(readdirSync(u.dir).filter((n) => n !== '.bits-sessions' && !top.has(n))).toEqual([]);
    expect(u.sessions()).toEqual([]);
    expect(readdirSync(path.dirname(u.dir))).toContain(path.basename(u.dir));
  });

  test('fast-check: Content-Range, packet types and session ids: a clean ack or a clean refusal, never a server fault', { timeout: 120_000 }, async () => {
    const id = await u.client.create('/fuzz.bin');
    let received = 0;
    const range = fc.oneof(
      fc.tuple(fc.nat(40), fc.nat(40), fc.nat(60)).map(([a, b, t]) => `bytes ${a}-${b}/${t}`),
      fc.string({ maxLength: 30 }),
      fc.constantFrom('bytes 0-0/0', 'bytes -1-2/3', 'bytes 1-2', 'items 0-1/2', 'bytes 0-1/99999999999999999', 'bytes  0-1/2'),
    );
    await fc.assert(
      fc.asyncProperty(range, fc.nat(50), async (r, length) => {
        const a = await u.client.packet('/fuzz.bin', 'Fragment', { 'BITS-Session-Id': id, 'Content-Range': r }, Buffer.alloc(length, 1));
        expect(a.headers['bits-packet-type']).toBe('Ack');
        const m = /^bytes\s+(\d+)-(\d+)\/(\d+)$/.exec(r.trim());
        const valid = m !== null && Number(m[1]) <= Number(m[2]) && Number(m[2]) < Number(m[3]) && Number(m[2]) - Number(m[1]) + 1 === length;
        if (!valid) expect(a.status).toBe(400);
        else expect([200, 400, 413, 416]).toContain(a.status);
        if (a.status === 200) received = Number(a.headers['bits-received-content-range']);
        if (a.status === 416) expect(a.headers['bits-received-content-range']).toBe(String(received));
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), async (type, session) => {
        const known = ['ping', 'create-session', 'fragment', 'close-session', 'cancel-session'].includes(type.trim().toLowerCase());
        const a = await u.client.packet('/x.bin', type.replace(/[^\x21-\x7e]/g, 'x') || 'x', { 'BITS-Session-Id': session.replace(/[^\x21-\x7e]/g, '') || '-' });
        if (!known) expect(a.status).toBe(400);
        expect(a.status).toBeLessThan(501);
        if (a.status >= 400) expect(a.headers['bits-error-code']).toMatch(/^0x[0-9A-F]{8}$/);
      }),
      { numRuns: 200 },
    );
  });

  test('fast-check: the framer rewrites the same however the bytes are split', () => {
    const request = fc.oneof(
      fc.string({ maxLength: 20 }).map((b) => `BITS_POST /a HTTP/1.1\r\nContent-Length: ${Buffer.byteLength(b, 'latin1')}\r\nX-Bits-Method: evil\r\n\r\n${b}`),
      fc.string({ maxLength: 20 }).map((b) => `POST /b HTTP/1.1\r\nContent-Length: ${Buffer.byteLength(b, 'latin1')}\r\n\r\n${b}`),
      fc.array(fc.string({ minLength: 1, maxLength: 9 }), { maxLength: 3 }).map((cs) => `POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${cs.map((c) => `${Buffer.byteLength(c, 'latin1').toString(16)}\r\n${c}\r\n`).join('')}0\r\n\r\n`),
    );
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 10 }), (reqs, cuts) => {
        const bytes = Buffer.from(reqs.join(''), 'latin1');
        const whole = Buffer.concat(new BitsRequestFramer().push(bytes)).toString('latin1');
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const f = new BitsRequestFramer();
        const out: Buffer[] = [];
        let at = 0;
        for (const p of [...points, bytes.length]) {
          out.push(...f.push(bytes.subarray(at, p)));
          at = p;
        }
        expect(Buffer.concat(out).toString('latin1')).toBe(whole);
        expect(whole.match(/^BITS_POST /gm)).toBeNull();
        expect((whole.match(/^X-Bits-Method: BITS_POST\r$/gm) ?? []).length).toBe(reqs.filter((r) => r.startsWith('BITS_POST')).length);
        expect(whole).not.toContain('evil');
      }),
      { numRuns: 500 },
    );
  });
});
