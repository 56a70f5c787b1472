// hostId / hostIdFallbackTimeout: IIS's BITSHostId and BITSHostIdFallbackTimeout.
// The Ack for Create-Session names the instance that holds the session
// (BITS-Host-Id), so that a client behind a load balancer sends the rest of its
// packets there, and for how long it keeps trying that instance before going
// back to the URL's host (BITS-Host-Id-Fallback-Timeout, in seconds). Checked
// on the wire, on a raw socket, as a BITS client reads the ack.
import { afterEach, describe, expect, test } from 'vitest';

import { createUploadHandler, createUploadServer } from '../../../lib/upload-server/index.js';
import type { UploadServerOptions } from '../../../lib/upload-server/index.js';
import { PROTOCOL, rawExchange } from '../../support/bits-client.js';
import { startUploads, tempDir } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

let u: Uploads | undefined;
afterEach(async () => {
  await u?.close();
  u = undefined;
});

const CREATE = `BITS_POST /a.bin HTTP/1.1\r\nHost: lb.example.com\r\nBITS-Packet-Type: Create-Session\r\nBITS-Supported-Protocols: ${PROTOCOL}\r\nContent-Length: 0\r\n\r\n`;
const PING = 'BITS_POST /a.bin HTTP/1.1\r\nHost: lb.example.com\r\nBITS-Packet-Type: Ping\r\nContent-Length: 0\r\n\r\n';

/** The header lines of one raw answer, as sent. */
const headerLines = (raw: string): string[] => (raw.split('\r\n\r\n')[0] ?? '').split('\r\n').slice(1);

describe('BITS-Host-Id', () => {
  test('the Ack for Create-Session carries BITS-Host-Id and BITS-Host-Id-Fallback-Timeout as given', async () => {
    u = await startUploads({ hostId: 'node7.example.com:8443', hostIdFallbackTimeout: 600 });
    const raw = await rawExchange(u.port, CREATE, (t) => t.includes('\r\n\r\n'));
    const lines = headerLines(raw);
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    // "Ack for Create-Session" page: BITS-Host-Id is BITSHostId's server name or IP address; the client
    // replaces the server part of the remote URL with it on all later packets ([MC-BUP] 1.3.4.2).
    expect(lines).toContain('BITS-Host-Id: node7.example.com:8443');
    // "Ack for Create-Session" page: BITS-Host-Id-Fallback-Timeout is BITSHostIdFallbackTimeout's value
    // (seconds), sent only with BITS-Host-Id.
    expect(lines).toContain('BITS-Host-Id-Fallback-Timeout: 600');
    expect(lines.find((l) => l.startsWith('BITS-Session-Id: '))).toMatch(/^BITS-Session-Id: \{[0-9a-f-]{36}\}$/);
    // [MC-BUP] 2.2.3: these belong to the Ack for Create-Session; other acks do not carry them.
    const ping = headerLines(await rawExchange(u.port, PING, (t) => t.includes('\r\n\r\n')));
    expect(ping.filter((l) => /^BITS-Host-Id/i.test(l))).toEqual([]);
  });

  test('without hostIdFallbackTimeout only BITS-Host-Id is sent (the client then never falls back: [MC-BUP] 3.1.2.3, INFINITE); without hostId neither', async () => {
    u = await startUploads({ hostId: '10.0.0.7' });
    const one = headerLines(await rawExchange(u.port, CREATE, (t) => t.includes('\r\n\r\n')));
    expect(one.filter((l) => /^BITS-Host-Id/i.test(l))).toEqual(['BITS-Host-Id: 10.0.0.7']);
    await u.close();
    u = await startUploads({});
    const none = headerLines(await rawExchange(u.port, CREATE, (t) => t.includes('\r\n\r\n')));
    expect(none.filter((l) => /^BITS-Host-Id/i.test(l))).toEqual([]);
    expect(none.filter((l) => l.startsWith('BITS-Session-Id: '))).toHaveLength(1);
  });

  test('an error ack for Create-Session carries no BITS-Host-Id (the page: the client moves to that host for later packets of a session)', async () => {
    u = await startUploads({ hostId: 'node7', hostIdFallbackTimeout: 60, authorize: () => false });
    const raw = await rawExchange(u.port, CREATE, (t) => t.includes('\r\n\r\n'));
    expect(raw).toMatch(/^HTTP\/1\.1 403 /);
    expect(headerLines(raw).filter((l) => /^BITS-Host-Id/i.test(l))).toEqual([]);
  });

  test('the options are checked when the handler or server is made, before anything listens', () => {
    const dir = tempDir();
    const make = (o: Partial<UploadServerOptions>) => () => createUploadHandler({ directory: dir, ...o });
    for (const ok of ['node7', 'node7.example.com', 'node7.example.com:8443', '10.0.0.7', '[fe80::1]', '[::1]:8080']) expect(make({ hostId: ok }), ok).not.toThrow();
    for (const bad of ['', 'a b', 'http://node7', 'node7/path', 'node7\r\nX-Evil: 1', 'node7:', 'node7:99999', '::1', 'nøde']) expect(make({ hostId: bad }), JSON.stringify(bad)).toThrow(RangeError);
    expect(make({ hostId: 7 as unknown as string })).toThrow(TypeError);
    // [MC-BUP] 3.1.2.3: the legal range is any positive value; the header carries a DWORD (IIS's property).
    for (const ok of [1, 600, 0xffffffff]) expect(make({ hostId: 'node7', hostIdFallbackTimeout: ok }), String(ok)).not.toThrow();
    for (const bad of [0, -1, 1.5, 2 ** 32, Number.NaN]) expect(make({ hostId: 'node7', hostIdFallbackTimeout: bad }), String(bad)).toThrow(RangeError);
    expect(make({ hostId: 'node7', hostIdFallbackTimeout: '60' as unknown as number })).toThrow(TypeError);
    // "Ack for Create-Session" page: the timeout is included only if BITS-Host-Id is.
    expect(make({ hostIdFallbackTimeout: 60 })).toThrow(TypeError);
    expect(() => createUploadServer({ directory: dir, hostId: 'a b' })).toThrow(RangeError);
  });
});
