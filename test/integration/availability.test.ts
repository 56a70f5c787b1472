// bitsAvailability() against Wine's real token, service manager and registry,
// each reading forced in turn through the test addon (so that every native
// branch runs here), and the one-call transfers in a session forced to read as
// not logged on. Microsoft's rule ("Users and Network Connections"): BITS runs a
// job only while its owner is logged on interactively, or owns it as LocalSystem,
// LocalService or NetworkService; otherwise the job waits, queued, with no error.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, test, vi } from 'vitest';

import { BitsError, bitsAvailability, download } from '../../lib/index.js';
import type { BackgroundCopyJob } from '../../lib/index.js';
import { cancelQuietly, fileFixture, manager, randomContent, rawBinding, waitForState, wine } from './helpers.js';

const body = randomContent(50_000);
const { folder, serve } = fileFixture();
const server = serve({ 'a.bin': body });
// 1 MB at 4 KB/s: a job that keeps Wine's one transfer slot busy for minutes.
const slow = serve({ 'slow.bin': randomContent(1_000_000) }, { bytesPerSecond: 4_000 });
afterEach(() => rawBinding.debugForceAvailability(null));

describe('bitsAvailability()', () => {
  // "Users and Network Connections": BITS transfers for an interactively logged-on owner or a service account; Wine's token is interactive
  test.runIf(wine)('Wine: ok, from an interactive token and a demand-start BITS service', async () => {
    const readings = await rawBinding.availability(false);
    // Wine's token carries the INTERACTIVE group (S-1-5-4) and LSA answers UndefinedLogonType (0).
    expect(readings.groups! & 1).toBe(1);
    expect(readings.serviceStartType).toBe(3); // SERVICE_DEMAND_START: qmgr starts on the first CoCreateInstance
    expect(readings.containerType).toBeNull();
    expect(await bitsAvailability()).toMatchObject({ available: true, reason: 'ok', remedy: '' });
  });

  test('each logon type LSA gives decides as the page says', async () => {
    for (const [logonType, reason] of [
      [2, 'ok'],
      [10, 'ok'],
      [11, 'ok'],
      [3, 'not-logged-on'],
      [4, 'not-logged-on'],
      [5, 'not-logged-on'],
      [8, 'not-logged-on'],
    ] as const) {
      rawBinding.debugForceAvailability({ logonType, userSession: null });
      const v = await bitsAvailability();
      expect(v.reason, `logon type ${logonType}`).toBe(reason);
      expect(v.available).toBe(reason === 'ok');
    }
  });

  test('LSA failing, the token groups decide; both failing, nothing stops BITS', async () => {
    rawBinding.debugForceAvailability({ lsaResult: 0x80070005, groups: 4, userSession: null });
    const batch = await bitsAvailability();
    expect(batch.reason).toBe('not-logged-on');
    expect(batch.detail).toContain('Batch (4)');
    rawBinding.debugForceAvailability({ lsaResult: 0x80070005, groupsResult: 0x80070005, userSession: null });
    expect((await rawBinding.availability(false)).groups).toBeNull();
    const unknown = await bitsAvailability();
    expect(unknown.reason).toBe('ok');
    expect(unknown.detail).toContain('E_ACCESSDENIED');
  });

  test('the service, the policy, the container and the account', async () => {
    rawBinding.debugForceAvailability({ serviceResult: 0x80070424 });
    const r = await rawBinding.availability(false);
    expect(r).toMatchObject({ serviceStartType: null, serviceState: null, serviceError: 0x80070424 });
    expect((await bitsAvailability()).reason).toBe('service-disabled');
    rawBinding.debugForceAvailability({ serviceStartType: 4 }); // SERVICE_DISABLED
    expect((await bitsAvailability()).reason).toBe('service-disabled');
    rawBinding.debugForceAvailability({ policyZero: 1 });
    expect((await bitsAvailability()).reason).toBe('policy');
    rawBinding.debugForceAvailability({ containerType: 2 });
    expect((await bitsAvailability()).reason).toBe('container');
    rawBinding.debugForceAvailability({ containerService: true });
    expect((await bitsAvailability()).reason).toBe('container');
    rawBinding.debugForceAvailability({ logonType: 5, systemAccount: 3, userSession: false });
    expect(await bitsAvailability()).toMatchObject({ reason: 'ok', detail: expect.stringContaining('NetworkService') as string });
    rawBinding.debugForceAvailability({ logonType: 2, userSession: false });
    expect((await bitsAvailability()).reason).toBe('not-logged-on'); // RunAs: no session of the user
  });

  test('probing the versions creates each versioned manager class that answers', async () => {
    const r = await rawBinding.availability(true);
    // BITS 1.0's class is the one every BITS registers ("Connecting to the BITS Service").
    expect(r.managerVersions).toContain('1.0');
    expect((await rawBinding.availability(false)).managerVersions).toBeNull();
  });
});

describe('one-call transfers and availability', () => {
  test("with BITS available, 'when-unavailable' still uses BITS", async () => {
    const dest = path.join(folder.dir, 'via-bits.bin');
    const r = await download(server.url('a.bin'), dest, { fallback: 'when-unavailable' });
    expect(r.via).toBe('bits');
    expect(r.jobId).toMatch(/^\{[0-9A-F-]{36}\}$/);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  test("'when-unavailable' in a session forced to read as not logged on goes over plain HTTP, with no BITS job", async () => {
    rawBinding.debugForceAvailability({ logonType: 4, userSession: false }); // a scheduled task's batch logon
    const dest = path.join(folder.dir, 'via-http.bin');
    const r = await download(server.url('a.bin'), dest, { fallback: 'when-unavailable', displayName: 'availability http path' });
    expect(r.via).toBe('http');
    if (r.via === 'http') expect(r.unavailable).toMatchObject({ available: false, reason: 'not-logged-on' });
    expect(r.jobId).toBeNull();
    expect(readFileSync(dest).equals(body)).toBe(true);
    const jobs = await (await manager()).listJobs();
    const names = await Promise.all(jobs.map((j) => j.getDisplayName()));
    for (const j of jobs) j.close();
    expect(names).not.toContain('availability http path'); // BITS never saw it

  });

  // "Users and Network Connections": a job of an owner who is not logged on stays queued; Wine's one transfer slot stands in for that
  test.runIf(wine)("'never' in a not-logged-on session: a job left queued fails fast with the reasoned error, not at timeoutMs", async () => {
    // Wine runs one job at a time: this one holds the slot, so the next stays queued,
    // as BITS leaves every job of an owner who is not logged on.
    const blocker: BackgroundCopyJob = await (await manager()).createJob('availability blocker');
    try {
      await blocker.addFile(slow.url('slow.bin'), path.join(folder.dir, 'slow.bin'));
      await blocker.resume();
      await vi.waitFor(async () => expect((await blocker.getProgress()).bytesTransferred).toBeGreaterThan(0), { timeout: 10_000, interval: 50 });
      rawBinding.debugForceAvailability({ logonType: 3, userSession: false });
      const late = Symbol('late');
      let timer: NodeJS.Timeout | undefined;
      // The bound: settled within a second of the call, long before timeoutMs.
      const deadline = new Promise<typeof late>((resolve) => (timer = setTimeout(() => resolve(late), 1_000)));
      const call = download(server.url('a.bin'), path.join(folder.dir, 'queued.bin'), { fallback: 'never', timeoutMs: 60_000 }).then(
        () => null,
        (e: unknown) => e,
      );
      const outcome = await Promise.race([call, deadline]);
      clearTimeout(timer);
      expect(outcome).not.toBe(late);
      expect(outcome).toBeInstanceOf(BitsError);
      expect(outcome).toMatchObject({ code: 'ERROR_NOT_LOGGED_ON', reason: 'not-logged-on' });
      expect((outcome as BitsError).message).toContain("fallback: 'when-unavailable'");
      expect((outcome as BitsError).jobId).toMatch(/^\{/);
    } finally {
      // End the blocker's response before cancelling it (Wine's service dies otherwise).
      slow.dropConnections();
      await waitForState(blocker, ['transferred', 'error']).catch(() => undefined);
      await cancelQuietly(blocker);
    }
  });

  test.each([
    // winerror.h: ERROR_NOT_LOGGED_ON, ERROR_NO_SUCH_LOGON_SESSION, ERROR_SERVICE_DISABLED.
    [0x800704dd, 'not-logged-on'],
    [0x80070520, 'not-logged-on'],
    [0x80070422, 'service-disabled'],
  ] as const)('BITS refusing with %i: the reasoned BitsError with never, plain HTTP with when-unavailable', async (hresult, reason) => {
    rawBinding.debugForceAvailability({ connectResult: hresult });
    const e = await download(server.url('a.bin'), path.join(folder.dir, `refused-${hresult}.bin`)).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(BitsError);
    expect(e).toMatchObject({ hresult, reason, method: 'CoCreateInstance(BackgroundCopyManager)' });
    expect((e as BitsError).message).toContain("fallback: 'when-unavailable'");
    const dest = path.join(folder.dir, `fell-back-${hresult}.bin`);
    const r = await download(server.url('a.bin'), dest, { fallback: 'when-unavailable' });
    expect(r.via).toBe('http');
    if (r.via === 'http') expect(r.unavailable).toMatchObject({ available: false, reason });
    expect(readFileSync(dest).equals(body)).toBe(true);
  });
});
