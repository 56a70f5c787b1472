// Memory stays flat: after a warm-up upload, 256 MiB more in 13 MiB fragments
// (what Windows sends) through a server in a child process, whose RSS is sampled
// every 10 ms, must grow it by less than 12 MiB. This catches memory that grows
// with the upload (a leak, a file gathered in memory, a missing back-pressure).
// It cannot see one fragment held whole: the warm-up already raised RSS to that
// high-water mark, and without a warm-up first-use allocations (about 40 MiB)
// drown the difference, measured both ways. That a fragment is streamed in 1 MiB
// batches is shown by the code and by bits-post.test.ts's back-pressure test;
// the 1 GiB figure in the README's Performance section is measured by bench/upload-bench.mjs.
import { randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { Agent } from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { afterAll, expect, test } from 'vitest';

import { BitsClient } from '../../support/bits-client.js';
import { compiledModule, moduleChildren } from '../../support/compiled-child.js';
import { tempDir } from '../../support/upload-fixture.js';

const children = moduleChildren();
const dir = tempDir();
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// The server also answers GET /rss with its current RSS and the peak since the last GET.
const CHILD = `
const { createUploadHandler, acceptBitsPost } = await import(process.argv[1]);
const { createServer } = await import('node:http');
const handler = createUploadHandler({ directory: process.argv[2] });
let peak = 0;
setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10).unref();
const server = acceptBitsPost(createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/rss') {
    const rss = process.memoryUsage.rss();
    res.end(JSON.stringify({ rss, peak: Math.max(peak, rss) }));
    peak = rss;
    return;
  }
  handler(req, res);
}));
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

test('256 MiB in 13 MiB fragments grows the server RSS by less than 12 MiB', async () => {
  const proc = children.spawn(CHILD, [compiledModule('upload-server', 'index.js'), dir]);
  const port = await new Promise<number>((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    createInterface({ input: proc.stdout }).once('line', (line) => resolve(Number(line)));
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const client = new BitsClient(`http://127.0.0.1:${port}`, { agent });
  const fragment = randomBytes(13 << 20);
  const total = 256 << 20;
  const upload = async (name: string, size: number): Promise<void> => {
    const id = await client.create(`/${name}`);
    for (let first = 0; first < size; first += fragment.length) {
      const a = await client.fragment(`/${name}`, id, first, fragment.subarray(0, Math.min(fragment.length, size - first)), size);
      expect(a.status).toBe(200);
    }
    await client.close(`/${name}`, id);
  };
  const rss = async (): Promise<{ rss: number; peak: number }> => JSON.parse((await client.send('GET', '/rss', {})).body.toString()) as { rss: number; peak: number };
  await upload('warm.bin', 2 * fragment.length); // first-use allocations (parsers, file handles) are not growth
  const before = await rss();
  await upload('big.bin', total);
  const after = await rss();
  agent.destroy();
  expect(statSync(path.join(dir, 'big.bin')).size).toBe(total);
  expect((after.peak - before.rss) / (1 << 20)).toBeLessThan(12);
}, 120_000);
