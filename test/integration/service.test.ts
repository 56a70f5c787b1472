// The BITS service going away under the package: stopped with `net stop bits`,
// then started again by the next connect(). It runs last (see vitest.config.ts):
// Wine's restarted service is not what the other files should test against.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, test } from 'vitest';

import { DISCONNECTION_HRESULTS } from '../../lib/errors.js';
import { BackgroundCopyManager, BitsError } from '../../lib/index.js';
import { elevated } from './elevation.js';
import { fileFixture, spawnToFiles, wine } from './helpers.js';

const { folder } = fileFixture();

/**
 * What the error advises after a stop: connect() again, and use the new
 * connection. `net stop` returns once the service reports itself stopped, while
 * its process may still be going, and a connection made in that window can reach
 * it: CoCreateInstance fails with a code of a server going away
 * (CO_E_SERVER_STOPPING is "Object server is stopping when OLE service contacts
 * it"), or succeeds and the next call fails so. Under Wine, in 210 stops in a loop:
 * CoCreateInstance failed 5 times (RPC_S_CALL_FAILED_DNE, RPC_S_SERVER_UNAVAILABLE)
 * and a Cancel on the new connection once (RPC_E_DISCONNECTED), each time followed
 * by a connection that worked 1.3 s later. So each failure must say so
 * (`disconnected`), and the whole round is made again until it works, for at
 * most 20 s. Returns the failures met on the way.
 */
async function onTheServiceAgain(): Promise<string[]> {
  const met: string[] = [];
  const half: string[] = []; // jobs made on a round that then failed: Windows keeps them
  const deadline = Date.now() + 20_000;
  for (;;) {
    let again: BackgroundCopyManager | undefined;
    try {
      again = await BackgroundCopyManager.connect();
      const fresh = await again.createJob('service back');
      half.push(fresh.id);
      expect(await fresh.getState()).toBe('suspended');
      await fresh.cancel();
      fresh.close();
      half.pop();
      for (const id of half) {
        await again.getJob(id).then(
          (j) => j.cancel().finally(() => j.close()),
          () => undefined,
        );
      }
      return met;
    } catch (e) {
      if (!(e instanceof BitsError) || !e.disconnected || Date.now() > deadline) throw e;
      met.push(`${e.code} in ${e.method}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      again?.close();
    }
  }
}

describe('service', () => {
  test('the service going away: calls reject naming the disconnection, and connect() works again', async ({ onTestFailed }) => {
    // A hang says where it stopped.
    let step = 'connect';
    onTestFailed(() => console.error(`service test stopped at: ${step}`));
    const m = await BackgroundCopyManager.connect();
    const job = await m.createJob('service goes away');
    // net stop runs while calls keep going: the first call it breaks must say the
    // service is gone, and so must every call after it.
    // ControlService: stopping a service needs SERVICE_STOP, which the service's security gives administrators only.
    const stop = wine ? path.join(process.env.windir ?? 'C:\\windows', 'system32', 'net.exe') : 'net';
    const log = path.join(folder.dir, 'net.log');
    const stopping = spawnToFiles(stop, ['stop', 'bits'], log);
    const exited = new Promise<number | null>((resolve) => stopping.on('exit', resolve));
    if (elevated === false) {
      // ControlService: ERROR_ACCESS_DENIED without SERVICE_STOP; net reports system error 5 and exits 2. BITS stays.
      step = 'net stop bits refused';
      expect(await exited).toBe(2);
      expect(readFileSync(log, 'utf8')).toMatch(/\b5\b/);
      expect(await job.getState()).toBe('suspended');
      await job.cancel();
      m.close();
      return;
    }
    let e: unknown;
    let ok = 0;
    const deadline = Date.now() + 30_000;
    while (!(e instanceof Error) && Date.now() < deadline) {
      e = await job.getState().then(
        () => (ok++, undefined),
        (err: unknown) => err,
      );
    }
    step = 'net stop bits exiting';
    expect(await exited, readFileSync(log, 'utf8')).toBe(0);
    console.log(`service: ${ok} calls answered before the service went`);
    expect(e).toBeInstanceOf(BitsError);
    console.log(`service: the first failure was ${(e as BitsError).code}`);
    // The codes a stopping or stopped service answers with (errors.ts, collected from the COM and RPC pages and Wine).
    expect(DISCONNECTION_HRESULTS).toContain((e as BitsError).hresult);
    expect((e as BitsError).disconnected).toBe(true);
    expect((e as BitsError).message).toMatch(/connect\(\) again/);
    step = 'createJob on the lost connection';
    await expect(m.createJob('no service')).rejects.toMatchObject({ disconnected: true });
    m.close();
    step = 'connect() again, createJob, getState and cancel on the new connection';
    const met = await onTheServiceAgain();
    if (met.length) console.log(`service: on the way back: ${met.join(', ')}`);
  });
});
