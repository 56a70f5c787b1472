// examples/updater.ts as a user runs it: started, killed mid-download, started
// again; the second run must find the same BITS job and finish it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, test } from 'vitest';

import { fileFixture, randomContent, spawnToFiles } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const updater = path.join(root, '.test-results', 'examples', 'updater.js');
const { folder, serve } = fileFixture();
const content = randomContent(1_500_000);
const server = serve({ 'app.msi': content }, { bytesPerSecond: 500_000 });

function start(args: string[], log: string): { done: Promise<number | null>; kill(): void } {
  const child = spawnToFiles(process.execPath, [updater, ...args], log);
  return { done: new Promise((resolve) => child.on('close', resolve)), kill: () => child.kill() };
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('examples', () => {
  test('updater.ts survives being killed: the next run reattaches by id and installs', async () => {
    expect(existsSync(updater), 'compiled by scripts/test.mjs').toBe(true);
    const target = path.join(folder.dir, 'app.msi');
    const first = path.join(folder.dir, 'first.log');
    const run1 = start([server.url('app.msi'), target], first);
    await until(() => existsSync(first) && readFileSync(first, 'utf8').includes('started'), 30_000);
    run1.kill();
    await run1.done;
    const id = readFileSync(path.join(folder.dir, '.update-job'), 'utf8').trim();
    expect(existsSync(target)).toBe(false);

    const second = path.join(folder.dir, 'second.log');
    const code = await start([server.url('app.msi'), target], second).done;
    const log = readFileSync(second, 'utf8');
    expect(code, log).toBe(0);
    expect(log).toContain(`reattached to ${id}`);
    expect(log).toContain('ready to install');
    expect(readFileSync(target).equals(content)).toBe(true);
    expect(existsSync(path.join(folder.dir, '.update-job'))).toBe(false);
  });
});
