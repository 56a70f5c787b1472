// The binding contract (binding.d.ts) on the test addon against the real
// service: errors built by the addon with lib's classes, one list of
// disconnection codes, getStatus in one hop, null for "none".
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';

import type { NativeJob, NativeManager } from '../../binding.js';
import { BitsError, ObjectClosedError } from '../../lib/index.js';
import { PRODUCT_EXPORTS } from '../../scripts/product-exports.mjs';
import { fileFixture, rawBinding, wine } from './helpers.js';

const { folder, serve } = fileFixture();
const server = serve({ 'a.bin': Buffer.alloc(1000, 1) });
let m: NativeManager;
const jobs: NativeJob[] = [];
const job = async (name: string): Promise<NativeJob> => {
  const j = await m.createJob(`binding ${name}`, 0);
  jobs.push(j);
  return j;
};

beforeAll(async () => {
  m = await rawBinding.connect();
});
afterAll(async () => {
  for (const j of jobs) await j.cancel().catch(() => undefined);
  m.close();
});

describe('binding contract', () => {
  test('a failed call rejects with lib BitsError, built by the addon with hresult, method and description', async () => {
    const e = await m.getJob('{00000000-0000-0000-0000-000000000001}').then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(BitsError);
    expect((e as BitsError).hresult).toBe(0x80200001);
    expect((e as BitsError).code).toBe('BG_E_NOT_FOUND');
    expect((e as BitsError).method).toBe('IBackgroundCopyManager::GetJob');
  });

  test('a call on a closed object throws ObjectClosedError at once, naming the object', async () => {
    const j = await job('closed');
    await j.addFile(server.url('a.bin'), path.join(folder.dir, 'closed.bin'));
    const [file] = await j.enumFiles();
    file!.close();
    expect(() => file!.getRemoteName()).toThrow(ObjectClosedError);
    expect(() => file!.getRemoteName()).toThrow(/^The file is closed/);
    const id = j.id;
    j.close();
    expect(() => j.getState()).toThrow(ObjectClosedError);
    expect(() => j.getState()).toThrow(`Job ${id} is closed`);
    jobs.splice(jobs.indexOf(j), 1, await m.getJob(id)); // cancelled at the end
    const other = await rawBinding.connect();
    other.close();
    expect(() => other.enumJobs(0)).toThrow(/^The BackgroundCopyManager is closed/);
  });

  test('without setErrorClasses (raw use, here a worker of its own) errors are plain: hresult and method, code ERR_BITS_CLOSED', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.addon);
      (async () => {
        const m = await addon.connect();
        const failed = await m.getJob('{00000000-0000-0000-0000-000000000001}').catch((e) => e);
        m.close();
        let closed;
        try { m.enumJobs(0); } catch (e) { closed = e; }
        parentPort.postMessage({
          failed: { name: failed.constructor.name, hresult: failed.hresult, method: failed.method },
          closed: { name: closed.constructor.name, code: closed.code, message: closed.message },
        });
      })();`;
    const worker = new Worker(code, { eval: true, workerData: { addon: path.join(root, 'build', 'test', 'windows_bits_test.node') } });
    const result = await new Promise((resolve, reject) => {
      worker.on('message', resolve);
      worker.on('error', reject);
    });
    await worker.terminate();
    expect(result).toEqual({
      failed: { name: 'Error', hresult: 0x80200001, method: 'IBackgroundCopyManager::GetJob' },
      closed: { name: 'Error', code: 'ERR_BITS_CLOSED', message: 'The BackgroundCopyManager was closed' },
    });
  });

  test('getStatus: state and progress in one hop, error null outside the error states', async () => {
    const j = await job('status');
    const before = rawBinding.debugStats().callsScheduled;
    const status = await j.getStatus();
    expect(rawBinding.debugStats().callsScheduled - before).toBe(1);
    expect(status).toEqual({ state: 3, progress: await j.getProgress(), error: null });
  });

  test('getStatus in ERROR carries the same error as getError (404)', async () => {
    const j = await job('status 404');
    await j.addFile(server.url('missing.bin'), path.join(folder.dir, 'missing.bin'));
    await j.resume();
    const end = Date.now() + 30_000;
    let status = await j.getStatus();
    while (status.state !== 4 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      status = await j.getStatus();
    }
    expect(status.state).toBe(4); // BG_JOB_STATE_ERROR
    expect(status.error).toMatchObject({ context: 5, hresult: 0x80190194 });
    expect(status.error).toEqual(await j.getError());
  });

  test('null for none: no custom headers', async () => {
    const j = await job('none');
    expect(await j.getCustomHeaders()).toBeNull();
  });
});

describe('the COM boundary, called as BITS calls it', () => {
  const refused = 0x800b0109; // CERT_E_UNTRUSTEDROOT
  const cert = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]);

  test('the certificate validator passes the certificate and answers yes, no, throw, promises', async () => {
    let seen: [Buffer, number] | undefined;
    expect(
      await rawBinding.debugValidate(
        (c, e) => {
          seen = [c, e];
          return true;
        },
        cert,
        10_000,
      ),
    ).toBe(0);
    expect(seen).toEqual([cert, 1]); // X509_ASN_ENCODING
    expect(await rawBinding.debugValidate(() => false, cert, 10_000)).toBe(refused);
    expect(await rawBinding.debugValidate(() => 'yes', cert, 10_000)).toBe(refused);
    expect(
      await rawBinding.debugValidate(
        () => {
          throw new Error('no');
        },
        cert,
        10_000,
      ),
    ).toBe(refused);
    expect(await rawBinding.debugValidate(() => Promise.resolve(true), cert, 10_000)).toBe(0);
    expect(await rawBinding.debugValidate(() => Promise.reject(new Error('no')), cert, 10_000)).toBe(refused);
  });

  test('a validator that never answers refuses at its limit', async () => {
    const start = Date.now();
    expect(await rawBinding.debugValidate(() => new Promise(() => undefined), cert, 300)).toBe(refused);
    const took = Date.now() - start;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(10_000);
  });

  test('an environment torn down while a validation waits answers it at once (no 60 s wait)', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const worker = new Worker(path.join(root, 'test', 'integration', 'fixtures', 'validate-at-exit.mjs'), { workerData: { root } });
    let askedAt = 0;
    worker.on('message', () => (askedAt = Date.now()));
    const code = await new Promise<number>((resolve, reject) => {
      worker.on('error', reject);
      worker.on('exit', resolve);
    });
    expect(askedAt).toBeGreaterThan(0);
    expect(code).toBe(0);
    // Stopping the pool waits at most 5 s for a task in progress; a question
    // left unanswered would hold it that long.
    expect(Date.now() - askedAt).toBeLessThan(4_000);
  });

  test('callbacks with null job and file pointers return S_OK, no crash', async () => {
    const before = rawBinding.debugStats().callbacksReceived;
    expect(await rawBinding.debugNullCallbacks()).toEqual([0, 0, 0, 0, 0]);
    expect(rawBinding.debugStats().callbacksReceived - before).toBe(5);
  });
});

describe('queryInterface()', () => {
  test('says yes to each interface this BITS has, and names the one it lacks', async () => {
    const j = await job('interfaces');
    // Wine 8 has IBackgroundCopyJob2-4 and HttpOptions; Windows 10 1903+ has them all.
    const present = ['IBackgroundCopyJob2', 'IBackgroundCopyJob3', 'IBackgroundCopyJob4', 'IBackgroundCopyJobHttpOptions'] as const;
    const newer = ['IBackgroundCopyJob5', 'IBackgroundCopyJobHttpOptions2', 'IBackgroundCopyJobHttpOptions3'] as const;
    for (const name of present) expect([name, await j.queryInterface(name)]).toEqual([name, true]);
    for (const name of newer) {
      const answer = await j.queryInterface(name).catch((e: unknown) => e);
      // QueryInterface: IBackgroundCopyJob5 (Windows 8) and IBackgroundCopyJobHttpOptions2/3 (Windows 10 1809) exist on every runner, per each interface's Requirements
      if (wine) expect(answer).toMatchObject({ code: 'E_NOINTERFACE', method: `IBackgroundCopyJob::QueryInterface(${name})` });
      else expect([name, answer]).toEqual([name, true]);
    }
    expect(() => j.queryInterface('IUnknown' as 'IBackgroundCopyJob2')).toThrow(RangeError);
  });
});

describe('binding(): the product load path', () => {
  test('node-gyp-build finds the local build, and its failures are lib BitsErrors', async () => {
    // A fresh copy of lib/binding.ts (the suite's copy was handed the test addon):
    // it loads build/Release the way an installed package loads its prebuild.
    vi.resetModules();
    const fresh = await import('../../lib/binding.js');
    const { BitsError: FreshBitsError } = await import('../../lib/errors.js');
    const product = fresh.binding();
    expect(fresh.binding()).toBe(product); // loaded once
    expect(Object.keys(product).sort()).toEqual([...PRODUCT_EXPORTS]);
    const manager = await product.connect();
    const e = await manager.getJob('{00000000-0000-0000-0000-000000000001}').then(
      () => null,
      (err: unknown) => err,
    );
    manager.close();
    // Built by the addon with the error class this copy of lib/ handed it.
    expect(e).toBeInstanceOf(FreshBitsError);
    expect(e).toMatchObject({ code: 'BG_E_NOT_FOUND', method: 'IBackgroundCopyManager::GetJob' });
    vi.resetModules();
  });
});
