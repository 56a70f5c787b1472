// onUpload's failures as BITS reads them: an error's HTTP status picks final
// (4xx) or transient (5xx); after a transient failure the resent last fragment
// runs onUpload again; a success is recorded once. And a throwing onEvent
// changes no answer and leaks no session.
import { readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { afterEach, describe, expect, test, vi } from 'vitest';

import { createUploadServer } from '../../../lib/upload-server/index.js';
import { BitsClient } from '../../support/bits-client.js';
import { startUploads, tempDir } from '../../support/upload-fixture.js';
import type { Uploads } from '../../support/upload-fixture.js';

let u: Uploads | undefined;
afterEach(async () => {
  await u?.close();
  u = undefined;
});

describe('onUpload failures', () => {
  test('a 5xx (or no status) is transient: 5xx ack with context 0x7, and the resend runs onUpload again until it succeeds, once', async () => {
    const outcomes: (number | null | 'ok')[] = [503, null, 'ok'];
    let calls = 0;
    u = await startUploads({
      onUpload: () => {
        const o = outcomes[calls++];
        if (o === 'ok') return { reply: Buffer.from('done') };
        throw Object.assign(new Error('database down'), o === null ? {} : { status: o });
      },
    });
    const content = Buffer.from('0123456789');
    const id = await u.client.create('/t.bin');
    const a1 = await u.client.fragment('/t.bin', id, 0, content, 10);
    // [MC-BUP] 3.2.5.2.6: context 0x7 for an error from the back end; the status is the error's.
    expect([a1.status, a1.headers['bits-error-context'], a1.headers['bits-error-code'], a1.headers['bits-received-content-range']]).toEqual([503, '0x7', '0x80004005', '10']);
    const a2 = await u.client.fragment('/t.bin', id, 0, content, 10);
    expect([a2.status, a2.headers['bits-error-context']]).toEqual([500, '0x7']);
    const a3 = await u.client.fragment('/t.bin', id, 0, content, 10);
    expect(a3.status).toBe(200);
    expect(a3.headers['bits-reply-url']).toBe(`/.bits-reply/${id.slice(1, -1)}`);
    const a4 = await u.client.fragment('/t.bin', id, 0, content, 10);
    expect(a4.status).toBe(200);
    expect(calls).toBe(3); // the success is recorded: the fourth copy runs nothing
    expect(readFileSync(path.join(u.dir, 't.bin'), 'utf8')).toBe('0123456789');
    expect(u.events.filter((e) => e.type === 'callback-failed').map((e) => (e.type === 'callback-failed' ? e.status : 0))).toEqual([503, 500]);
    expect(u.events.filter((e) => e.type === 'upload-finished')).toHaveLength(1);
  });

  test('a 4xx is final: answered with its status and kept, onUpload never runs again', async () => {
    let calls = 0;
    u = await startUploads({
      onUpload: () => {
        calls++;
        throw Object.assign(new Error('not a PDF'), { statusCode: 415, hresult: 0x8007000d });
      },
    });
    const id = await u.client.create('/t.bin');
    for (let i = 0; i < 3; i++) {
      const a = await u.client.fragment('/t.bin', id, 0, Buffer.from('x'), 1);
      expect([a.status, a.headers['bits-error-code'], a.headers['bits-error-context']]).toEqual([415, '0x8007000D', '0x7']);
    }
    expect(calls).toBe(1);
  });
});

describe('a throwing onEvent', () => {
  test('changes no answer and leaks no session: every packet answered as without it', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    const dir = tempDir();
    const server = createUploadServer({
      directory: dir,
      maxSessions: 1,
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    try {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const client = new BitsClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const id = await client.create('/e.bin');
      const f = await client.fragment('/e.bin', id, 0, Buffer.from('abc'), 3);
      expect([f.status, f.headers['bits-packet-type'], f.headers['bits-received-content-range']]).toEqual([200, 'Ack', '3']);
      const refused = await client.fragment('/e.bin', '{00000000-0000-0000-0000-000000000000}', 0, Buffer.from('a'), 1);
      // Microsoft's Ack for Fragment page: an unknown session gets BG_E_SESSION_NOT_FOUND.
      expect([refused.status, refused.headers['bits-packet-type'], refused.headers['bits-error-code']]).toEqual([500, 'Ack', '0x8020001F']);
      expect((await client.close('/e.bin', id)).status).toBe(200);
      // maxSessions is 1: a session leaked by the throw would make this a 503.
      expect(await client.create('/f.bin')).toMatch(/^\{/);
      expect(readFileSync(path.join(dir, 'e.bin'), 'utf8')).toBe('abc');
      await vi.waitFor(() => expect(warnings.some((w) => w.includes('listener bug'))).toBe(true));
    } finally {
      process.off('warning', onWarning);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
