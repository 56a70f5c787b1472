// A server started on a directory that already holds sessions, in this process
// (crash.test.ts does the same with SIGKILL in a child): it continues the
// sessions an earlier server acked, clears folders no ack ever named, and
// finishes a session whose file was renamed into place just before a crash.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import { createUploadServer } from '../../../lib/upload-server/index.js';
import type { FinishedUpload } from '../../../lib/upload-server/index.js';
import type { SessionState } from '../../../lib/upload-server/store.js';
import { BitsClient } from '../../support/bits-client.js';
import { startUploads, tempDir } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

let u: Uploads | undefined;
afterEach(async () => {
  await u?.close(); // removes the directory too
  u = undefined;
});

/** Runs `work` against a server on `dir`, then stops that server and leaves the directory as it is. */
async function earlierServer(dir: string, work: (client: BitsClient) => Promise<void>): Promise<void> {
  const server = createUploadServer({ directory: dir });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await work(new BitsClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const folderOf = (id: string): string => id.slice(1, -1);

describe('restart on the same directory', () => {
  test("sessions an earlier server acked continue; folders with no readable state of their own are cleared; other files are left", async () => {
    const dir = tempDir();
    const content = Buffer.from('a whole file in three fragments'.repeat(100));
    let half = '';
    let fresh = '';
    await earlierServer(dir, async (client) => {
      half = await client.create('/half.bin');
      expect((await client.fragment('/half.bin', half, 0, content.subarray(0, 1000), content.length)).status).toBe(200);
      fresh = await client.create('/fresh.bin');
    });
    const sessions = path.join(dir, '.bits-sessions');
    const junk = {
      // A Create-Session that died before its state was written: the client never got the id.
      noState: '11111111-1111-4111-8111-111111111111',
      unreadable: '22222222-2222-4222-8222-222222222222',
      otherId: '33333333-3333-4333-8333-333333333333',
      otherVersion: '44444444-4444-4444-8444-444444444444',
    };
    for (const name of Object.values(junk)) mkdirSync(path.join(sessions, name));
    const halfState = readFileSync(path.join(sessions, folderOf(half), 'state.json'), 'utf8');
    writeFileSync(path.join(sessions, junk.unreadable, 'state.json'), halfState.slice(0, 20));
    writeFileSync(path.join(sessions, junk.otherId, 'state.json'), halfState);
    writeFileSync(path.join(sessions, junk.otherVersion, 'state.json'), JSON.stringify({ ...(JSON.parse(halfState) as SessionState), id: junk.otherVersion, version: 2 }));
    writeFileSync(path.join(sessions, 'notes.txt'), 'not a session');

    u = await startUploads({}, dir);
    // Beyond the last ack: 416 names the offset the earlier server acked.
    const probe = await u.client.fragment('/half.bin', half, 2000, content.subarray(2000), content.length);
    expect(probe.status).toBe(416);
    expect(probe.headers['bits-received-content-range']).toBe('1000');
    expect(readdirSync(sessions).sort()).toEqual([folderOf(fresh), folderOf(half), 'notes.txt'].sort());
    expect(readFileSync(path.join(sessions, 'notes.txt'), 'utf8')).toBe('not a session');
    for (const name of Object.values(junk)) expect((await u.client.close('/x', `{${name}}`)).headers['bits-error-code']).toBe('0x8020001F');
    await u.client.upload('/half.bin', content, 1000, half);
    await u.client.upload('/fresh.bin', content, 1500, fresh);
    expect(u.files().sort()).toEqual(['fresh.bin', 'half.bin']);
    for (const name of u.files()) expect(readFileSync(path.join(dir, name)).equals(content)).toBe(true);
  });

  test('a file renamed into place before a crash that left its state unsaved: the resent last fragment finishes the session', async () => {
    const dir = tempDir();
    const content = Buffer.from('renamed just before the crash');
    const id = '5a5a5a5a-5a5a-45a5-85a5-5a5a5a5a5a5a';
    const folder = path.join(dir, '.bits-sessions', id);
    mkdirSync(folder, { recursive: true });
    // Every byte acked and saved, then the data renamed to its name, then the crash: no `data`, finished still false.
    const state: SessionState = { version: 1, id, principal: '', name: 'k.bin', url: '/in/k.bin', total: content.length, received: content.length, touched: Date.now(), finished: false, notified: false, failure: null, reply: false };
    writeFileSync(path.join(folder, 'state.json'), JSON.stringify(state));
    writeFileSync(path.join(dir, 'k.bin'), content);

    const calls: FinishedUpload[] = [];
    u = await startUploads({ onUpload: (up) => void calls.push(up) }, dir);
    const a = await u.client.fragment('/in/k.bin', `{${id}}`, 0, content, content.length);
    expect(a.status).toBe(200);
    expect(a.headers['bits-received-content-range']).toBe(String(content.length));
    expect(calls).toEqual([{ sessionId: `{${id}}`, path: path.join(dir, 'k.bin'), size: content.length, url: '/in/k.bin', principal: '' }]);
    expect(u.events.map((e) => e.type)).toEqual(['upload-finished']);
    expect((await u.client.close('/in/k.bin', `{${id}}`)).status).toBe(200);
    expect(existsSync(folder)).toBe(false);
    expect(readFileSync(path.join(dir, 'k.bin')).equals(content)).toBe(true);
  });
});
