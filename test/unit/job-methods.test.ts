// BackgroundCopyJob's methods that Wine's BITS cannot answer (IBackgroundCopyJob5
// is E_NOINTERFACE there; GetTimes, GetProxySettings and TakeOwnership are
// E_NOTIMPL), driven by the scripted binding: what lib/ checks before a call,
// what it hands the binding, and how it converts the answer. The properties'
// conversions both ways run through the real addon in
// test/integration/job5.test.ts, against a COM object implementing IBackgroundCopyJob5.
import { describe, expect, test, vi } from 'vitest';

import { BitsError } from '../../lib/index.js';
import { scripted } from '../support/scripted-binding.js';

type PropertyValue = number | boolean | string;

/** A job whose setProperty only records. */
function job5() {
  const setProperty = vi.fn<(id: number, value: PropertyValue) => Promise<void>>(() => Promise.resolve());
  const s = scripted({ states: ['suspended'], answers: { setProperty } });
  return { s, job: s.job(), setProperty };
}

describe('IBackgroundCopyJob5 properties', () => {
  test('a getter passes the binding’s failure on (E_NOINTERFACE where BITS is older than Windows 8)', async () => {
    const noInterface = new BitsError({ hresult: 0x80004002, method: 'QueryInterface(IBackgroundCopyJob5)' });
    const s = scripted({ states: ['suspended'], answers: { getProperty: () => Promise.reject(noInterface) } });
    const job = s.job();
    await expect(job.getHighPerformance()).rejects.toBe(noInterface);
    job.close();
  });

  test('bad values reject with RangeError or TypeError, and never reach the binding', async () => {
    const { s, job, setProperty } = job5();
    const tooLarge = Number.MAX_SAFE_INTEGER + 1;
    await expect(job.setMaxDownloadSize(tooLarge)).rejects.toThrow(new RangeError(`bytes must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got ${tooLarge}`));
    await expect(job.setMaxDownloadSize(-1)).rejects.toBeInstanceOf(RangeError);
    await expect(job.setMaxDownloadSize(1.5)).rejects.toBeInstanceOf(RangeError);
    await expect(job.setMaxDownloadSize('1024' as unknown as number)).rejects.toBeInstanceOf(TypeError);
    await expect(job.setCostFlags(2 ** 32)).rejects.toBeInstanceOf(RangeError);
    await expect(job.setUseStoredCredentials('server' as 'proxy')).rejects.toThrow(new RangeError("target must be one of 'proxy', 'none', got 'server'"));
    await expect(job.setUseStoredCredentials(2 as unknown as 'proxy')).rejects.toBeInstanceOf(TypeError);
    await expect(job.setDynamicContent(1 as unknown as boolean)).rejects.toBeInstanceOf(TypeError);
    await expect(job.setNotificationClsid('not-a-guid')).rejects.toBeInstanceOf(RangeError);
    expect(setProperty).not.toHaveBeenCalled();
    expect(s.calls).toEqual([]);
    job.close();
  });
});

describe('times, proxy settings and ownership', () => {
  test('getTimes gives Dates for the milliseconds BITS had, and null for "never"', async () => {
    const created = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
    const s = scripted({
      states: ['transferring'],
      answers: { getTimes: () => Promise.resolve({ creationTime: created, modificationTime: created + 1500, transferCompletionTime: null }) },
    });
    const job = s.job();
    const times = await job.getTimes();
    expect(times).toEqual({ creationTime: new Date('2024-01-02T03:04:05.678Z'), modificationTime: new Date('2024-01-02T03:04:07.178Z'), transferCompletionTime: null });
    expect(times.creationTime).toBeInstanceOf(Date);
    expect(s.calls).toEqual(['getTimes']);
    job.close();
  });

  test('getProxySettings names the usage and passes the lists on as the addon gives them (no list: null)', async () => {
    const answers = [
      { usage: 2, proxyList: 'http://proxy:8080', bypassList: '<local>' },
      { usage: 0, proxyList: null, bypassList: null },
      { usage: 1, proxyList: null, bypassList: null },
      { usage: 3, proxyList: null, bypassList: null },
      { usage: 4, proxyList: null, bypassList: null },
    ];
    const s = scripted({ states: ['suspended'], answers: { getProxySettings: () => Promise.resolve(answers.shift()!) } });
    const job = s.job();
    expect(await job.getProxySettings()).toEqual({ usage: 'override', proxyList: 'http://proxy:8080', bypassList: '<local>' });
    expect(await job.getProxySettings()).toEqual({ usage: 'preconfig', proxyList: null, bypassList: null });
    expect(await job.getProxySettings()).toEqual({ usage: 'no-proxy', proxyList: null, bypassList: null });
    expect(await job.getProxySettings()).toEqual({ usage: 'autodetect', proxyList: null, bypassList: null });
    // A usage this package does not know yet is told, not guessed.
    await expect(job.getProxySettings()).rejects.toThrow(new RangeError('BITS returned an unknown proxy usage 4'));
    job.close();
  });

  test('takeOwnership calls TakeOwnership once and passes its failure on', async () => {
    const denied = new BitsError({ hresult: 0x80070005, method: 'IBackgroundCopyJob::TakeOwnership' });
    let taken = 0;
    const s = scripted({ states: ['suspended'], answers: { takeOwnership: () => (taken++ === 0 ? Promise.resolve(0) : Promise.reject(denied)) } });
    const job = s.job();
    await expect(job.takeOwnership()).resolves.toBeUndefined();
    expect(s.calls).toEqual(['takeOwnership']);
    const e = await job.takeOwnership().catch((err: unknown) => err);
    expect(e).toBe(denied);
    expect(e).toMatchObject({ code: 'E_ACCESSDENIED' });
    expect(s.calls).toEqual(['takeOwnership', 'takeOwnership']);
    job.close();
  });
});

describe('a binding call that throws instead of rejecting', () => {
  test('a thrown non-Error value becomes a rejection with an Error of that text', async () => {
    const s = scripted({
      states: ['suspended'],
      answers: {
        getOwner: (): Promise<string> => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- what this test is about: a thrown value that is no Error
          throw 'refused by the addon';
        },
      },
    });
    const job = s.job();
    let pending: Promise<string> | undefined;
    expect(() => (pending = job.getOwner())).not.toThrow();
    const e = await pending?.catch((err: unknown) => err);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toBe('refused by the addon');
    job.close();
  });

  test('a thrown Error is the rejection itself', async () => {
    const refused = new TypeError('expected a number');
    const s = scripted({
      states: ['suspended'],
      answers: {
        getOwner: (): Promise<string> => {
          throw refused;
        },
      },
    });
    const job = s.job();
    await expect(job.getOwner()).rejects.toBe(refused);
    job.close();
  });
});
