// Resume after SIGKILL: a child process downloading 64 MiB over the fallback path
// is killed halfway (no exit handler runs, nothing is flushed by us). A second
// download to the same destination asks only for the rest (Range + If-Range from
// the sidecar the child wrote before its first byte) and the file is
// byte-identical. The child runs the compiled package with the host's Node.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { expect, test } from 'vitest';

import { httpDownload } from '../../../lib/fallback/http-download.js';
import { compiledModule, moduleChildren } from '../../support/compiled-child.js';
import { startFileServer } from './download-server.js';

const children = moduleChildren();

const CHILD = `
const { httpDownload } = await import(process.argv[1]);
await httpDownload(process.argv[2], process.argv[3], {
  onProgress: (p) => process.stdout.write(JSON.stringify(p) + '\\n'),
});
process.stdout.write(JSON.stringify({ done: true }) + '\\n');
`;

test('a download killed halfway resumes from its partial file and fetches only the rest', async () => {
  const MiB = 1024 * 1024;
  const body = randomBytes(64 * MiB);
  const server = await startFileServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'bits-fallback-kill-'));
  try {
    server.set('big.bin', { body, etag: '"big-1"' });
    // 256 KiB every 10 ms: a few seconds for the whole file, time enough to kill it halfway.
    server.chunkDelayMs = 10;
    const dest = path.join(dir, 'big.bin');
    const proc = children.spawn(CHILD, [compiledModule('fallback', 'http-download.js'), server.url('big.bin'), dest]);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const msg = JSON.parse(line) as { bytesTransferred?: number; done?: boolean };
        if (msg.done) reject(new Error('the child finished before it could be killed'));
        if ((msg.bytesTransferred ?? 0) >= 32 * MiB) {
          proc.kill('SIGKILL');
          resolve();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');
    const kept = statSync(`${dest}.partial`).size;
    expect(kept).toBeGreaterThanOrEqual(32 * MiB);
    expect(kept).toBeLessThan(body.length);
    expect(existsSync(dest)).toBe(false);

    server.chunkDelayMs = 0;
    const before = server.log.length;
    const result = await httpDownload(server.url('big.bin'), dest);
    const resumed = server.log.slice(before);
    expect(resumed).toHaveLength(1);
    expect(resumed[0]?.headers.range).toBe(`bytes=${kept}-`);
    expect(resumed[0]?.headers['if-range']).toBe('"big-1"');
    expect(resumed[0]?.status).toBe(206);
    // Only the rest crossed the wire the second time.
    expect(resumed[0]?.bytes).toBe(body.length - kept);
    expect(result).toEqual({ bytesTransferred: body.length, bytesTotal: body.length });
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(existsSync(`${dest}.partial`)).toBe(false);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
