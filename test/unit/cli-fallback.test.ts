// The real `bits` process on the host (no BITS here): doctor says why and exits 3,
// --fallback when-unavailable moves the files over plain HTTP, and without it a
// transfer says the platform is the reason. Exit codes as documented: 0 success,
// 1 failed, 2 bad usage, 3 not supported here.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { doctorReport } from '../../lib/cli/doctor.js';
import { diagnose } from '../../lib/availability.js';
import { createUploadServer } from '../../lib/upload-server/index.js';
import { startServer } from '../support/http-server.js';
import type { TestServer } from '../support/http-server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = path.join(root, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(path.join(tmpdir(), 'windows-bits-cli-fallback-'));
const served = path.join(dir, 'served');
const body = randomBytes(120_000);
let files: TestServer;
let uploads: Server;
let uploadPort: number;

beforeAll(async () => {
  expect(existsSync(cli), 'dist/ is built by npm run build').toBe(true);
  files = await startServer({ 'a.bin': body });
  uploads = createUploadServer({ directory: served });
  await new Promise<void>((resolve) => uploads.listen(0, '127.0.0.1', resolve));
  uploadPort = (uploads.address() as AddressInfo).port;
});
afterAll(async () => {
  await files.close();
  await new Promise((r) => uploads.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function bits(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

// Each test starts a Node process; a loaded machine takes seconds for that alone.
describe.skipIf(process.platform === 'win32')('bits off Windows', { timeout: 30_000 }, () => {
  test('doctor --json: not-windows with the remedy, the versions, and the HTTP proxy without its password; exit 3', async () => {
    const run = await bits(['doctor', '--json'], { HTTPS_PROXY: 'http://me:secret@proxy.example:8080', NO_PROXY: 'localhost' });
    expect(run.code).toBe(3);
    const doc = JSON.parse(run.stdout) as Record<string, unknown> & { proxy: { http: Record<string, string | null> } };
    expect(doc).toMatchObject({ available: false, reason: 'not-windows', service: null, node: process.version, platform: `${process.platform}-${process.arch}` });
    expect(doc.remedy).toContain("fallback: 'when-unavailable'");
    expect(doc.proxy.http.noProxy).toBe('localhost');
    expect(doc.proxy.http.httpsProxy).toContain('proxy.example:8080');
    expect(run.stdout).not.toContain('secret');
  });

  test('doctor: the human report says no, why, and what to do', async () => {
    const run = await bits(['doctor'], { NO_COLOR: '1' });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('BITS available: no (not-windows)');
    expect(run.stdout).toContain('remedy:');
  });

  test('download --fallback when-unavailable: over HTTP to a POSIX path, via http in the JSON document', async () => {
    const dest = path.join(dir, 'cli-a.bin');
    const run = await bits(['--json', 'download', '--fallback', 'when-unavailable', files.url('a.bin'), dest]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ via: 'http', jobId: null, bytesTransferred: body.length, unavailable: { reason: 'not-windows' } });
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  test('upload --fallback when-unavailable: the BITS Upload Protocol to windows-bits/upload-server', async () => {
    const local = path.join(dir, 'up.bin');
    writeFileSync(local, body);
    const run = await bits(['upload', '--fallback', 'when-unavailable', local, `http://127.0.0.1:${uploadPort}/in/up.bin`], { NO_COLOR: '1' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('via plain HTTP: BITS is unavailable here (not-windows)');
    expect(readFileSync(path.join(served, 'in', 'up.bin')).equals(body)).toBe(true);
  });

  test('without --fallback a transfer exits 3 naming the platform, not a path error', async () => {
    const run = await bits(['--json', 'download', files.url('a.bin'), path.join(dir, 'never.bin')]);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { name: 'UnsupportedPlatformError', code: 'ERR_BITS_UNSUPPORTED_PLATFORM' } });
  });
});

describe('doctorReport', () => {
  test('names the start type and state as winsvc.h defines them, and the newest version that answered', () => {
    const readings = {
      logonType: 10,
      logonTypeError: 0,
      groups: 1,
      systemAccount: 0,
      userSession: true,
      serviceStartType: 3, // SERVICE_DEMAND_START
      serviceState: 4, // SERVICE_RUNNING
      serviceError: 0,
      containerType: null,
      containerService: false,
      policyZero: 0,
      managerVersions: ['10.3', '10.2', '1.0'],
    };
    const r = doctorReport(readings, diagnose(readings));
    expect(r).toMatchObject({ available: true, logonType: 'RemoteInteractive (10)', account: null, interactiveSession: true, bitsVersion: '10.3', container: false });
    expect(r.service).toEqual({ startType: 'manual', state: 'running', error: null });
    const disabled = { ...readings, serviceStartType: 4, serviceState: 1, systemAccount: 1 };
    const d = doctorReport(disabled, diagnose(disabled));
    expect(d).toMatchObject({ reason: 'service-disabled', account: 'LocalSystem', service: { startType: 'disabled', state: 'stopped' } });
  });
});
