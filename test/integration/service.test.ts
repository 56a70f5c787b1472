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
 * connect() after the stop, as its error advises. `net stop` returns once the
 * service reports itself stopped, while its process may still be going: a
 * CoCreateInstance in that window fails with a code of a server going away
 * (CO_E_SERVER_STOPPING, "Object server is stopping when OLE service contacts it";
 * under Wine RPC_S_CALL_FAILED_DNE or RPC_S_SERVER_UNAVAILABLE, 2 of 210 stops in
 * a loop, each answered by a connect() 1.3 s later). Such a failure must say so
 * (`disconnected`), and connect() works once the old process has gone: tried
 * again until then, for at most 20 s.
 */
async function connectAgain(): Promise<BackgroundCopyManager> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      return await BackgroundCopyManager.connect();
    } catch (e) {
      expect(e).toMatchObject({ name: 'BitsError', method: 'CoCreateInstance(BackgroundCopyManager)', disconnected: true });
      if (Date.now() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100));
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
    step = 'connect() again (the service restarts)';
    const again = await connectAgain();
    step = 'createJob on the new connection';
    const fresh = await again.createJob('service back');
    step = 'getState on the new connection';
    expect(await fresh.getState()).toBe('suspended');
    step = 'cancel on the new connection';
    await fresh.cancel();
    again.close();
  });
});
