// The BITS service going away under the package: stopped with `net stop bits`,
// then started again by the next connect(). It runs last (see vitest.config.ts):
// Wine's restarted service is not what the other files should test against.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { BackgroundCopyManager, BitsError } from '../../lib/index.js';
import { tempFolder, wine } from './helpers.js';

const folder = tempFolder();
afterAll(() => folder.cleanup());

describe('service', () => {
  test('the service going away: calls reject naming the disconnection, and connect() works again', async () => {
    const m = await BackgroundCopyManager.connect();
    const job = await m.createJob('service goes away');
    const inFlight = Array.from({ length: 50 }, () => job.getState().then(() => 'ok', (e: unknown) => e));
    const stop = wine ? path.join(process.env.windir ?? 'C:\\windows', 'system32', 'net.exe') : 'net';
    // Stopping BITS on Windows needs an elevated runner (CI has one).
    const fd = openSync(path.join(folder.dir, 'net.log'), 'w');
    const r = spawnSync(stop, ['stop', 'bits'], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    expect(r.status, readFileSync(path.join(folder.dir, 'net.log'), 'utf8')).toBe(0);
    for (const result of await Promise.all(inFlight)) {
      if (result !== 'ok') expect((result as BitsError).disconnected).toBe(true);
    }
    // The service process may take a moment to go once it has stopped.
    let e: unknown;
    for (let i = 0; i < 100 && !(e instanceof BitsError); i++) {
      e = await job.getState().catch((err: unknown) => err);
      if (!(e instanceof BitsError)) await new Promise((res) => setTimeout(res, 100));
    }
    expect(e).toBeInstanceOf(BitsError);
    expect((e as BitsError).disconnected).toBe(true);
    expect((e as BitsError).message).toMatch(/connect\(\) again/);
    await expect(m.createJob('no service')).rejects.toMatchObject({ disconnected: true });
    m.close();
    const again = await BackgroundCopyManager.connect();
    const fresh = await again.createJob('service back');
    expect(await fresh.getState()).toBe('suspended');
    await fresh.cancel();
    again.close();
  });
});
