// The addon in other hosts: worker_threads, an executable not named node.exe (as
// in Electron), and the packed tarball with its prebuild and no build step.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { describe, expect, test } from 'vitest';

import { PRODUCT_EXPORTS } from '../../scripts/product-exports.mjs';

import { fileFixture, manager, spawnToFiles } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = path.join(root, 'test', 'integration', 'fixtures', 'create-job.mjs');
const { folder } = fileFixture();

/** Runs a host executable with the fixture; output goes to files (pipes break Windows Node under Wine). */
async function runHost(exe: string, args: string[], cwd: string, script = fixture): Promise<{ code: number | null; result: Record<string, unknown>; log: string }> {
  const resultFile = path.join(folder.dir, `result-${Date.now()}-${Math.random()}.json`);
  const logFile = `${resultFile}.log`;
  const child = spawnToFiles(exe, [script, ...args, resultFile], logFile, { cwd });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const log = readFileSync(logFile, 'utf8');
  const result = existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as Record<string, unknown>) : {};
  return { code, result, log };
}

describe('hosts', () => {
  test('8 worker_threads load the addon at once, each creates a job; teardown releases what they held', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) => {
        const worker = new Worker(path.join(root, 'test', 'integration', 'fixtures', 'worker.mjs'), { workerData: { root, index } });
        return new Promise<{ id: string; state: number; held: string; code: number }>((resolve, reject) => {
          let message: { id: string; state: number; held: string } | undefined;
          worker.on('message', (m: { id: string; state: number; held: string }) => (message = m));
          worker.on('error', reject);
          worker.on('exit', (code) => (message ? resolve({ ...message, code }) : reject(new Error(`worker exited ${code} without a result`))));
        });
      }),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(8);
    for (const r of results) {
      expect(r.state).toBe(3); // BG_JOB_STATE_SUSPENDED
      expect(r.code).toBe(0);
    }
    // The jobs the workers left open still exist in BITS: only our references went.
    const m = await manager();
    for (const r of results) {
      const held = await m.getJob(r.held);
      expect(await held.getState()).toBe('suspended');
      await held.cancel();
    }
  });

  test('an executable not named node.exe (as Electron) loads the addon and creates a job', async () => {
    const renamed = path.join(folder.dir, 'electron.exe');
    copyFileSync(process.execPath, renamed);
    const { code, result, log } = await runHost(renamed, ['addon', root], root);
    expect(result, log).toMatchObject({ ok: true, type: 0 });
    expect(String(result.exe).toLowerCase()).toBe(renamed.toLowerCase());
    expect(code).toBe(0);
  });

  test('the packed tarball loads its win32-x64 prebuild with no build step and creates a job', async () => {
    const app = path.join(root, '.test-results', 'pack', 'app');
    expect(existsSync(path.join(app, 'node_modules', 'windows-bits', 'package.json')), `${app} is prepared by scripts/test.mjs (npm test)`).toBe(true);
    expect(existsSync(path.join(app, 'node_modules', 'windows-bits', 'build'))).toBe(false);
    const { code, result, log } = await runHost(process.execPath, ['package', app], app);
    expect(result, log).toMatchObject({ ok: true, type: 'upload' });
    expect(String(result.entry)).toContain(path.join('node_modules', 'windows-bits', 'dist', 'index.js'));
    expect(code).toBe(0);
  });

  test("the packed tarball's addon exports exactly the product's functions, nothing test-only", async () => {
    const pkg = path.join(root, '.test-results', 'pack', 'app', 'node_modules', 'windows-bits');
    expect(existsSync(path.join(pkg, 'prebuilds', 'win32-x64')), `${pkg} is prepared by scripts/test.mjs (npm test)`).toBe(true);
    expect(existsSync(path.join(pkg, 'build'))).toBe(false);
    const script = path.join(root, 'test', 'integration', 'fixtures', 'list-exports.mjs');
    const { code, result, log } = await runHost(process.execPath, [pkg], pkg, script);
    expect(result, log).toEqual({ ok: true, exports: [...PRODUCT_EXPORTS] });
    expect(code).toBe(0);
  });
});
