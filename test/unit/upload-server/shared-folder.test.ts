// Two servers on one directory, as two processes of a fleet share a folder:
// each handler keeps its own memory and its own in-process locks, so what holds
// here holds between processes (test/unit/upload-server/fleet.test.ts runs real
// node:cluster workers). A packet may reach either server; neither may answer
// from what it remembered of a session the other has changed since.
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import type { Answer } from '../../support/bits-client.js';
import { startUploads, tempDir, until } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

/** [MC-BUP] 2.2.1.2 / 3.1.5.2.1: the session is unknown; the client creates it again. */
const SESSION_NOT_FOUND = '0x8020001F';

let servers: Uploads[] = [];
afterEach(async () => {
  for (const s of servers.splice(0).reverse()) await s.close();
});

async function pair(options: Parameters<typeof startUploads>[0] = {}): Promise<[Uploads, Uploads]> {
  const dir = tempDir();
  const a = await startUploads(options, dir);
  const b = await startUploads(options, dir);
  servers = [a, b];
  return [a, b];
}

const content = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff));

function expectAck(a: Answer, received: number): void {
  // [MC-BUP] 2.2.7.2: the Ack for Fragment names the next byte expected in BITS-Received-Content-Range.
  expect([a.status, a.headers['bits-received-content-range'], a.headers['bits-error-code']]).toEqual([200, String(received), undefined]);
}

describe('two servers sharing one directory', () => {
  test('a session made on one is served packet by packet by either; onUpload runs once', async () => {
    const uploads: string[] = [];
    const [a, b] = await pair({ onUpload: (u) => void uploads.push(u.sessionId) });
    const id = await a.client.create('/shared.bin');
    expectAck(await b.client.fragment('/shared.bin', id, 0, content.subarray(0, 100_000), content.length), 100_000);
    expectAck(await a.client.fragment('/shared.bin', id, 100_000, content.subarray(100_000, 200_000), content.length), 200_000);
    expectAck(await b.client.fragment('/shared.bin', id, 200_000, content.subarray(200_000), content.length), content.length);
    // The last fragment resent to the other server: acked again, nothing run twice.
    expectAck(await a.client.fragment('/shared.bin', id, 200_000, content.subarray(200_000), content.length), content.length);
    expect((await a.client.close('/shared.bin', id)).status).toBe(200);
    expect(uploads).toEqual([id]);
    expect(readFileSync(path.join(a.dir, 'shared.bin')).equals(content)).toBe(true);
  });

  test('what one server remembers never outlives what the other did: progress, cancel and close are seen at once', async () => {
    const [a, b] = await pair();
    const cancelled = await a.client.create('/c.bin');
    const closed = await a.client.create('/d.bin');
    const moving = await a.client.create('/m.bin');
    // b learns of all three now.
    expectAck(await b.client.fragment('/m.bin', moving, 0, content.subarray(0, 1000), content.length), 1000);
    expectAck(await b.client.fragment('/d.bin', closed, 0, content, content.length), content.length);
    // a moves one on, cancels one, closes one.
    expectAck(await a.client.fragment('/m.bin', moving, 1000, content.subarray(1000, 5000), content.length), 5000);
    expect((await a.client.cancel('/c.bin', cancelled)).status).toBe(200);
    expect((await a.client.close('/d.bin', closed)).status).toBe(200);
    // b continues from a's ack, not from its own last one (which would be a 416 naming 1000).
    expectAck(await b.client.fragment('/m.bin', moving, 5000, content.subarray(5000, 6000), content.length), 6000);
    // Ended sessions are not found: a resent fragment is neither written nor acked.
    const late = await b.client.fragment('/c.bin', cancelled, 0, content.subarray(0, 1000), content.length);
    expect([late.status, late.headers['bits-error-code']]).toEqual([500, SESSION_NOT_FOUND]);
    const resent = await b.client.fragment('/d.bin', closed, 0, content, content.length);
    expect([resent.status, resent.headers['bits-error-code']]).toEqual([500, SESSION_NOT_FOUND]);
    expect((await b.client.close('/c.bin', cancelled)).headers['bits-error-code']).toBe(SESSION_NOT_FOUND);
    expect(b.sessions()).toEqual([moving.slice(1, -1)]);
  });

  test("a packet waits while the other server runs one of the same session, then gets a transient 503 with Retry-After; the session is intact", async () => {
    const [a, b] = await pair({ lockWaitMs: 300 });
    const id = await a.client.create('/s.bin');
    // Half a fragment's body on a: its packet holds the session.
    const socket = connect(a.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    socket.write(`BITS_POST /s.bin HTTP/1.1\r\nHost: x\r\nBITS-Packet-Type: Fragment\r\nBITS-Session-Id: ${id}\r\nContent-Range: bytes 0-9/10\r\nContent-Length: 10\r\n\r\n01234`);
    await until(() => existsSync(path.join(a.dir, '.bits-sessions', id.slice(1, -1), 'lock')), "a's lock on the session");
    const busy = await b.client.fragment('/s.bin', id, 0, Buffer.from('0123456789'), 10);
    // Microsoft's "Handling Server Application Errors": 5xx but 501/505 is transient, so BITS
    // ([MC-BUP] 3.1.5.2.1) sends the packet again; [MC-BUP] 2.2.7.2: every Fragment ack carries
    // BITS-Received-Content-Range (MUST), here 0: nothing acked yet.
    expect([busy.status, busy.headers['retry-after'], busy.headers['bits-error-code'], busy.headers['bits-received-content-range']]).toEqual([503, '1', '0x800700AA', '0']);
    socket.write('56789');
    await until(() => answer.includes('\r\n\r\n'), "a's ack");
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expectAck(await b.client.fragment('/s.bin', id, 0, Buffer.from('0123456789'), 10), 10);
    expect(readFileSync(path.join(a.dir, 's.bin'), 'utf8')).toBe('0123456789');
  });

  test("two sessions finishing one name on different servers: the second waits for the first's onUpload, which sees only its own bytes; the last wins whole", async () => {
    const first = Buffer.alloc(50_000, 'a');
    const second = Buffer.alloc(40_000, 'b');
    let secondAnswer: Promise<Answer> | undefined;
    const seen: { server: string; bytes: Buffer }[] = [];
    const dir = tempDir();
    const a = await startUploads(
      {
        lockWaitMs: 300,
        onUpload: async (u) => {
          // b's last fragment arrives while this onUpload runs; its answer comes before this returns.
          secondAnswer = b.client.fragment('/same.bin', sessionB, 0, second, second.length);
          await secondAnswer;
          seen.push({ server: 'a', bytes: readFileSync(u.path) });
        },
      },
      dir,
    );
    const b = await startUploads({ lockWaitMs: 300, onUpload: (u) => void seen.push({ server: 'b', bytes: readFileSync(u.path) }) }, dir);
    servers = [a, b];
    const sessionA = await a.client.create('/same.bin');
    const sessionB = await b.client.create('/same.bin');
    expectAck(await a.client.fragment('/same.bin', sessionA, 0, first, first.length), first.length);
    const waited = await (secondAnswer as unknown as Promise<Answer>);
    // The name's lock was a's for the whole wait: a transient 503 (Microsoft's "Handling Server
    // Application Errors"), with all bytes acked ([MC-BUP] 2.2.7.2), so BITS resends the last fragment.
    expect([waited.status, waited.headers['retry-after'], waited.headers['bits-received-content-range']]).toEqual([503, '1', String(second.length)]);
    expectAck(await b.client.fragment('/same.bin', sessionB, 0, second, second.length), second.length);
    expect(seen.map((s) => [s.server, s.bytes.equals(s.server === 'a' ? first : second)])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(readFileSync(path.join(dir, 'same.bin')).equals(second)).toBe(true);
  });
});
