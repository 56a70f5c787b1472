// QueryInterface for IBackgroundCopyJob4 and each of its methods.
import { describe, expect, test } from 'vitest';

import { BackgroundCopyJob4 } from '../../lib/index.js';
import { elevated } from './elevation.js';
import { fileFixture, rawBinding, realOrNotImplemented, wine } from './helpers.js';

const { createJob } = fileFixture();

describe('BackgroundCopyJob4', () => {
  test('queryJob4() gives a BackgroundCopyJob4 of the same job', async () => {
    const job = await createJob('job4');
    const job4 = await job.queryJob4();
    expect(job4).toBeInstanceOf(BackgroundCopyJob4);
    expect(job4.id).toBe(job.id);
    expect(await job4.getState()).toBe('suspended');
    expect(await job4.getDisplayName()).toBe('job4');
    // Asked again, the same object, as COM answers QueryInterface with the same pointer.
    expect(await job.queryJob4()).toBe(job4);
  });

  test('each getter returns a value (Windows) or a clean E_NOTIMPL (Wine)', async () => {
    const job = await createJob('job4 getters');
    const job4 = await job.queryJob4();
    // GetPeerCachingFlags: only BG_JOB_ENABLE_PEERCACHING_CLIENT (1) and _SERVER (2) are defined
    await realOrNotImplemented(job4.getPeerCachingFlags(), (f) => expect(f & ~3).toBe(0), 'IBackgroundCopyJob4::GetPeerCachingFlags');
    // GetOwnerIntegrityLevel: the integrity level of the owner's token, high (0x3000) elevated, medium (0x2000) not
    await realOrNotImplemented(job4.getOwnerIntegrityLevel(), (l) => expect(l).toBe(elevated ? 0x3000 : 0x2000), 'IBackgroundCopyJob4::GetOwnerIntegrityLevel');
    // GetOwnerElevationState: TRUE when the owner's token was elevated
    await realOrNotImplemented(job4.getOwnerElevationState(), (e) => expect(e).toBe(elevated), 'IBackgroundCopyJob4::GetOwnerElevationState');
    // SetMaximumDownloadTime: the default is 7,776,000 seconds (90 days)
    await realOrNotImplemented(job4.getMaximumDownloadTime(), (t) => expect(t).toBe(7_776_000), 'IBackgroundCopyJob4::GetMaximumDownloadTime');
  });

  test('setters succeed; on Windows the value reads back', async () => {
    const job = await createJob('job4 setters');
    const job4 = await job.queryJob4();
    // Each setter is one call into BITS (not answered by lib/ alone) and resolves with nothing.
    const calls = rawBinding.debugStats().callsScheduled;
    expect(await job4.setMaximumDownloadTime(3600)).toBeUndefined();
    expect(await job4.setPeerCachingFlags(1)).toBeUndefined();
    expect(rawBinding.debugStats().callsScheduled - calls).toBe(2);
    // SetMaximumDownloadTime, SetPeerCachingFlags: S_OK, and the getters read the values set
    if (!wine) {
      expect(await job4.getMaximumDownloadTime()).toBe(3600);
      expect(await job4.getPeerCachingFlags()).toBe(1);
    } else {
      // Wine 8's setters return S_OK and keep nothing (README, Wine): the getters
      // stay E_NOTIMPL, and the job is untouched by the calls.
      // GetMaximumDownloadTime, GetPeerCachingFlags: read back what the setters set (Windows); Wine lacks both
      await realOrNotImplemented(job4.getMaximumDownloadTime(), () => undefined, 'IBackgroundCopyJob4::GetMaximumDownloadTime');
      await realOrNotImplemented(job4.getPeerCachingFlags(), () => undefined, 'IBackgroundCopyJob4::GetPeerCachingFlags'); // GetPeerCachingFlags: as above
      expect(await job.getState()).toBe('suspended');
    }
  });

  test('setters check their arguments before any COM call', async () => {
    const job = await createJob('job4 bad input');
    const job4 = await job.queryJob4();
    await expect(job4.setMaximumDownloadTime(-1)).rejects.toBeInstanceOf(RangeError);
    await expect(job4.setPeerCachingFlags(4)).rejects.toBeInstanceOf(RangeError);
    await expect(job4.setMaximumDownloadTime('1' as unknown as number)).rejects.toBeInstanceOf(TypeError);
  });
});
