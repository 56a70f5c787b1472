// Expiry as IIS does it: sessions with data live sessionTimeoutMs (14 days by
// default, IIS's BITSSessionTimeout), sessions that never got a byte a short
// emptySessionTimeoutMs (1 hour by default). Expired folders are swept at start
// and by a timer, without waiting for a request.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import { createUploadHandler } from '../../../lib/upload-server/index.js';
import { startUploads, tempDir, until } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

let u: Uploads | undefined;
afterEach(async () => {
  await u?.close();
  u = undefined;
});

describe('session expiry', () => {
  test('a session that never got a byte expires after emptySessionTimeoutMs and its folder is swept by the timer; one with data stays', { timeout: 15_000 }, async () => {
    u = await startUploads({ emptySessionTimeoutMs: 300, sessionTimeoutMs: 60_000 });
    const empty = await u.client.create('/e.bin');
    const full = await u.client.create('/f.bin');
    expect((await u.client.fragment('/f.bin', full, 0, Buffer.from('ab'), 4)).status).toBe(200);
    const emptyDir = path.join(u.dir, '.bits-sessions', empty.slice(1, -1));
    await until(() => !existsSync(emptyDir), 'the empty session swept without a request', 5000);
    expect(u.sessions()).toEqual([full.slice(1, -1)]);
    expect((await u.client.fragment('/e.bin', empty, 0, Buffer.from('a'), 1)).headers['bits-error-code']).toBe('0x8020001F');
    expect((await u.client.fragment('/f.bin', full, 2, Buffer.from('cd'), 4)).status).toBe(200);
  });

  test('sessions a previous run left expired are swept at start; the defaults are 14 days and 1 hour', async () => {
    const dir = tempDir();
    const sessions = path.join(dir, '.bits-sessions');
    const state = (id: string, received: number, ageMs: number): void => {
      mkdirSync(path.join(sessions, id), { recursive: true });
      writeFileSync(path.join(sessions, id, 'data'), Buffer.alloc(received));
      const s = { version: 1, id, principal: '', name: `${id}.bin`, url: '/x', total: received ? 10 : null, received, touched: Date.now() - ageMs, finished: false, notified: false, failure: null, reply: false };
      writeFileSync(path.join(sessions, id, 'state.json'), JSON.stringify(s));
    };
    const day = 86_400_000;
    state('11111111-1111-1111-1111-111111111111', 5, 15 * day); // data, idle 15 days: expired
    state('22222222-2222-2222-2222-222222222222', 5, 13 * day); // data, idle 13 days: kept
    state('33333333-3333-3333-3333-333333333333', 0, 2 * 3_600_000); // no byte, 2 hours: expired
    state('44444444-4444-4444-4444-444444444444', 0, 30 * 60_000); // no byte, 30 minutes: kept
    u = await startUploads({}, dir);
    expect((await u.client.ping('/x')).status).toBe(200); // the first request loads the store
    expect(u.sessions().sort()).toEqual(['22222222-2222-2222-2222-222222222222', '44444444-4444-4444-4444-444444444444']);
    expect(() => createUploadHandler({ directory: dir, emptySessionTimeoutMs: 0 })).toThrow(RangeError);
  });
});
