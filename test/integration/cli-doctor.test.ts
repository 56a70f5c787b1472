// `bits doctor` and `--fallback`, the real `bits` process run by Windows Node
// (under Wine on Linux) against the real service manager and BITS.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, test } from 'vitest';

import { cliPath, fileFixture, randomContent, runBits, wine } from './helpers.js';
import type { CliOutput } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { folder, serve } = fileFixture();
const body = randomContent(40_000);
const server = serve({ 'a.bin': body });

beforeAll(() => {
  expect(existsSync(cliPath), 'dist/ is built by npm run build').toBe(true);
});

const bits = (args: string[]): Promise<CliOutput> => runBits(folder.dir, args);

describe('bits doctor', () => {
  test('--json: available, the service read through the service manager, the BITS version, Node and package versions', async () => {
    const run = await bits(['doctor', '--json']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as Record<string, unknown> & { service: { startType: string; state: string }; proxy: { http: unknown } };
    expect(doc).toMatchObject({ available: true, reason: 'ok', remedy: '', container: false, node: process.version });
    expect(doc.package).toBe((JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version);
    // Wine registers qmgr as a demand-start service and only BITS 1.0's manager class.
    // "BITS Version Numbers": each version registers its own BackgroundCopyManager class; the newest that answers is the version
    if (wine) {
      expect(doc.service.startType).toBe('manual');
      expect(doc.bitsVersion).toBe('1.0');
    } else {
      expect(doc.bitsVersion).toMatch(/^\d+\.\d+$/);
    }
    expect(['running', 'stopped', 'start-pending']).toContain(doc.service.state);
    expect(doc.proxy.http).toEqual({ httpsProxy: null, httpProxy: null, noProxy: null });
  });

  test('the human report: one line per check', async () => {
    const run = await bits(['doctor']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('BITS available: yes (ok)');
    expect(run.stdout).toMatch(/logon type: /);
    expect(run.stdout).toMatch(/BITS service: start type \w+, [\w-]+/);
    expect(run.stdout).toContain(`node ${process.version}`);
  });
});

describe('--fallback', () => {
  test("download --fallback when-unavailable where BITS runs: BITS does it (via 'bits' and a job id)", async () => {
    const dest = path.join(folder.dir, 'cli-fallback.bin');
    const run = await bits(['--json', 'download', '--fallback', 'when-unavailable', server.url('a.bin'), dest]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ via: 'bits', jobId: expect.stringMatching(/^\{/) as string });
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  test('a value other than never or when-unavailable is bad usage (exit 2)', async () => {
    const run = await bits(['download', '--fallback', 'sometimes', server.url('a.bin'), path.join(folder.dir, 'x.bin')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/never, when-unavailable/);
  });
});
