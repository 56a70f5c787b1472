// bits serve-uploads with the host's Node on the compiled CLI (off Windows, so
// this also shows the command never loads the native addon, which would throw
// UnsupportedPlatformError here): an upload through it, its output in both
// modes, bad usage, and Ctrl-C (SIGINT) closing it with exit code 0.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, describe, expect, test } from 'vitest';

import { BitsClient } from '../../support/bits-client.js';
import { runCli } from '../../support/cli-child.js';
import type { CliRun } from '../../support/cli-child.js';
import { compiledLib } from '../../support/compiled-child.js';
import { root, tempDir, until } from '../../support/upload-fixture.js';

const dir = tempDir();
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Ctrl-C: SIGINT, then exit code 0. Windows cannot send another process SIGINT
 * (Ctrl-C there is a console event, and child.kill() terminates), so there the
 * process is only stopped, and this returns null: the clean exit is Unix-tested.
 */
async function interrupt(run: CliRun): Promise<number | null> {
  if (process.platform === 'win32') {
    run.child.kill();
    await run.exit;
    return null;
  }
  run.child.kill('SIGINT');
  return run.exit;
}
const unix = process.platform !== 'win32';

describe('bits serve-uploads', () => {
  test('--json: one JSON line per event; an upload arrives; SIGINT stops it with exit code 0', async () => {
    const run = runCli(['serve-uploads', dir, '--port', '0', '--max-size', '1MB', '--json']);
    await until(() => run.stdout.length > 0, 'the listening line');
    const listening = JSON.parse(run.stdout[0]!) as { type: string; url: string; directory: string; maxFileSize: number };
    expect(listening).toMatchObject({ type: 'listening', directory: dir, maxFileSize: 1 << 20 });
    expect(listening.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const client = new BitsClient(listening.url);
    const content = randomBytes(70_000);
    await client.upload('/cli.bin', content, 30_000);
    expect(readFileSync(path.join(dir, 'cli.bin')).equals(content)).toBe(true);
    const tooBig = await client.fragment('/big.bin', await client.create('/big.bin'), 0, Buffer.alloc(10), 2 << 20);
    expect([tooBig.status, tooBig.headers['bits-error-code']]).toEqual([400, '0x80200020']); // [MC-BUP] 3.1.5.2.1: BG_E_TOO_LARGE
    await until(() => run.stdout.some((l) => l.includes('"refused"')), 'the refusal event');
    const types = run.stdout.map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(['listening', 'session-created', 'fragment', 'fragment', 'fragment', 'upload-finished', 'session-closed', 'session-created', 'refused']);
    const code = await interrupt(run);
    if (unix) {
      expect(code).toBe(0);
      expect(JSON.parse(run.stdout.at(-1)!)).toMatchObject({ type: 'stopped' });
    }
  }, 30_000);

  test('human output: a line per finished upload and nothing else on stdout', async () => {
    const run = runCli(['serve-uploads', dir, '--port', '0']);
    await until(() => run.stderr.length > 0, 'the banner');
    const url = /at (http:\/\/\S+\/)/.exec(run.stderr[0]!)?.[1];
    expect(url).toBeDefined();
    const client = new BitsClient(url!);
    await client.upload('/one.bin', randomBytes(2048));
    await client.upload('/two.bin', randomBytes(3072));
    await until(() => run.stdout.length >= 2, 'two lines');
    expect(run.stdout).toEqual([`received ${path.join(dir, 'one.bin')} (2.0 KB)`, `received ${path.join(dir, 'two.bin')} (3.0 KB)`]);
    const code = await interrupt(run);
    if (unix) expect(code).toBe(0);
  }, 30_000);

  test('bad usage exits 2', async () => {
    const run = runCli(['serve-uploads', dir, '--max-size', 'lots']);
    expect(await run.exit).toBe(2);
    expect(run.stderr.join('\n')).toContain('--max-size');
    const port = runCli(['serve-uploads', dir, '--port', '70000']);
    expect(await port.exit).toBe(2);
  }, 30_000);

  test('the package export ./upload-server is the compiled module, and nothing it imports reaches the addon', async () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(pkg.exports['./upload-server']).toEqual({ types: './dist/upload-server/index.d.ts', default: './dist/upload-server/index.js' });
    // Follow every relative import from the entry point through the compiled files.
    const entry = path.join(compiledLib(), 'upload-server', 'index.js');
    const seen = new Set<string>();
    const stack = [entry];
    while (stack.length > 0) {
      const file = stack.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) stack.push(path.resolve(path.dirname(file), m[1]!));
    }
    const files = [...seen].map((f) => path.relative(compiledLib(), f).split(path.sep).join('/')).sort();
    expect(files).toContain('upload-server/handler.js');
    expect(files.filter((f) => !f.startsWith('upload-server/'))).toEqual([]);
    const mod = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
    expect(Object.keys(mod).sort()).toEqual(['BITS_METHOD_HEADER', 'BITS_PROTOCOL', 'acceptBitsPost', 'basicAuth', 'createUploadHandler', 'createUploadServer', 'hashPassword', 'parseUsers']);
  });
});
