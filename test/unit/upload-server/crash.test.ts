// Nothing acked is lost: a server process killed with SIGKILL (no exit handler
// runs, nothing is flushed) and started again on the same directory continues
// every session from its last ack. The server runs as a child process on the
// compiled package; the client keeps the offsets it was acked.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { afterEach, describe, expect, test } from 'vitest';

import { BitsClient } from '../../support/bits-client.js';
import { compiledModule, moduleChildren } from '../../support/compiled-child.js';
import { tempDir, until } from '../../support/upload-fixture.js';

const children = moduleChildren();
const started: ChildProcess[] = [];
// Each test's servers go with it: the next test starts its own on the same directory.
afterEach(() => {
  for (const c of started.splice(0)) c.kill('SIGKILL');
});

const CHILD = `
const { createUploadServer } = await import(process.argv[1]);
const server = createUploadServer({ directory: process.argv[2], onUpload: (u) => {
  process.stdout.write(JSON.stringify({ upload: u.sessionId }) + '\\n');
  return { reply: Buffer.from('reply ' + u.size) };
} });
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
`;

interface Child {
  proc: ChildProcess;
  client: BitsClient;
  uploads: string[];
  kill(): Promise<void>;
}

async function startChild(dir: string): Promise<Child> {
  const proc = children.spawn(CHILD, [compiledModule('upload-server', 'index.js'), dir]);
  started.push(proc);
  const uploads: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { port?: number; upload?: string };
      if (msg.port) resolve(msg.port);
      if (msg.upload) uploads.push(msg.upload);
    });
  });
  return {
    proc,
    client: new BitsClient(`http://127.0.0.1:${port}`),
    uploads,
    kill: () =>
      new Promise((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      }),
  };
}

describe('SIGKILL and restart', () => {
  test('every session continues from its last ack: mid-upload, just created, finished with a reply, fragment in flight', async () => {
    const dir = tempDir();
    try {
      const a = await startChild(dir);
      const content = randomBytes(400_000);
      const half = await a.client.create('/half.bin');
      await a.client.fragment('/half.bin', half, 0, content.subarray(0, 100_000), content.length);
      await a.client.fragment('/half.bin', half, 100_000, content.subarray(100_000, 200_000), content.length);
      const fresh = await a.client.create('/fresh.bin');
      const done = await a.client.create('/done.bin');
      const last = await a.client.fragment('/done.bin', done, 0, content, content.length);
      expect(a.uploads).toEqual([done]);
      const replyUrl = String(last.headers['bits-reply-url']);
      const inFlight = await a.client.create('/flight.bin');
      await a.client.fragment('/flight.bin', inFlight, 0, content.subarray(0, 50_000), content.length);
      // Half a fragment's body, then the kill.
      const partial = a.client.packet('/flight.bin', 'Fragment', { 'BITS-Session-Id': inFlight, 'Content-Range': `bytes 50000-249999/${content.length}`, 'Content-Length': '200000' });
      void partial.catch(() => undefined);
      await a.kill();

      const b = await startChild(dir);
      // Beyond the last ack: 416 names exactly the acked offset.
      const probe = await b.client.fragment('/half.bin', half, 300_000, content.subarray(300_000), content.length);
      expect(probe.status).toBe(416);
      expect(probe.headers['bits-received-content-range']).toBe('200000');
      const flightProbe = await b.client.fragment('/flight.bin', inFlight, 60_000, content.subarray(60_000, 70_000), content.length);
      expect(flightProbe.headers['bits-received-content-range']).toBe('50000');
      await b.client.upload('/half.bin', content, 100_000, half);
      await b.client.upload('/fresh.bin', content, 150_000, fresh);
      await b.client.upload('/flight.bin', content, 150_000, inFlight);
      // The finished session: the resent last fragment is acked with the reply, and onUpload does not run again.
      const again = await b.client.fragment('/done.bin', done, 0, content, content.length);
      expect(again.status).toBe(200);
      expect(again.headers['bits-reply-url']).toBe(replyUrl);
      expect((await b.client.send('GET', replyUrl, {})).body.toString()).toBe(`reply ${content.length}`);
      await b.client.close('/done.bin', done);
      expect(b.uploads.sort()).toEqual([half, fresh, inFlight].sort());
      for (const name of ['half.bin', 'fresh.bin', 'flight.bin', 'done.bin']) expect(readFileSync(path.join(dir, name)).equals(content)).toBe(true);
      await b.kill();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('killed three times at arbitrary points under 5 concurrent uploads: no acked byte lost, every file intact', async () => {
    const dir = tempDir();
    try {
      const contents = Array.from({ length: 5 }, () => randomBytes(1_500_000));
      const acked = contents.map(() => 0);
      const ids: string[] = [];
      let server = await startChild(dir);
      for (let i = 0; i < contents.length; i++) ids.push(await server.client.create(`/c${i}.bin`));
      const pump = async (client: BitsClient, i: number): Promise<void> => {
        const c = contents[i]!;
        while (acked[i]! < c.length) {
          const from = acked[i]!;
          const a = await client.fragment(`/c${i}.bin`, ids[i]!, from, c.subarray(from, from + 65_536), c.length);
          const received = Number(a.headers['bits-received-content-range']);
          // The server may know more than we were told (an ack lost in the kill), never less.
          expect([200, 416]).toContain(a.status);
          expect(received).toBeGreaterThanOrEqual(from);
          acked[i] = received;
        }
      };
      for (let round = 0; round < 4; round++) {
        const work = Promise.allSettled(contents.map((_, i) => pump(server.client, i)));
        if (round === 3) {
          const results = await work;
          expect(results.map((r) => r.status)).toEqual(contents.map(() => 'fulfilled'));
          break;
        }
        // Kill once a random share of the remaining bytes has been acked.
        const target = acked.reduce((s, n) => s + n, 0) + Math.floor(Math.random() * 1_500_000) + 100_000;
        await until(() => acked.reduce((s, n) => s + n, 0) >= target, 'progress before the kill', 30_000);
        await server.kill();
        await work;
        server = await startChild(dir);
      }
      for (let i = 0; i < contents.length; i++) {
        expect((await server.client.close(`/c${i}.bin`, ids[i]!)).status).toBe(200);
        expect(readFileSync(path.join(dir, `c${i}.bin`)).equals(contents[i]!)).toBe(true);
      }
      await server.kill();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
