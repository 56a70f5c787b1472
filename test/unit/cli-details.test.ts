// What `bits info` reads of a job (lib/cli/describe.ts) when a property fails, and
// main()'s promise to resolve with an exit code whatever a command's action does,
// over scripted bindings.
import { afterEach, describe, expect, test, vi } from 'vitest';

import type { NativeFile, NativeManager } from '../../binding.js';
import { details } from '../../lib/cli/describe.js';
import { main } from '../../lib/cli/main.js';
import { useBinding } from '../../lib/binding.js';
import { BitsError } from '../../lib/index.js';
import { scripted } from '../support/scripted-binding.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const failure = (hresult: number, method: string): (() => Promise<never>) => {
  return () => Promise.reject(new BitsError({ hresult, method }));
};

/** A job in state 'transferring' with one file, whose other answers `answers` may replace. */
function infoJob(answers: Parameters<typeof scripted>[0]['answers'] = {}) {
  const fileClose = vi.fn();
  const file = {
    getRemoteName: () => Promise.resolve('http://h/a.bin'),
    getLocalName: () => Promise.resolve('C:\\a.bin'),
    getProgress: () => Promise.resolve({ bytesTotal: 100, bytesTransferred: 40, completed: false }),
    close: fileClose,
    describe: () => 'The file',
  } as unknown as NativeFile;
  const s = scripted({
    states: ['transferring'],
    answers: {
      getDisplayName: () => Promise.resolve('nightly'),
      getType: () => Promise.resolve(0),
      enumFiles: () => Promise.resolve([file]),
      getTimes: () => Promise.resolve({ creationTime: Date.UTC(2024, 0, 1), modificationTime: Date.UTC(2024, 0, 2), transferCompletionTime: null }),
      getDescription: () => Promise.resolve('a job'),
      getPriority: () => Promise.resolve(2),
      getOwner: () => Promise.resolve('S-1-5-21-1'),
      getErrorCount: () => Promise.resolve(0),
      getMinimumRetryDelay: () => Promise.resolve(600),
      getCustomHeaders: () => Promise.resolve('X-A: 1\r\nX-B: 2'),
      ...answers,
    },
  });
  return { s, job: s.job(), fileClose };
}

describe('details() of `bits info`', () => {
  test('a property this BITS lacks (E_NOTIMPL, E_NOINTERFACE) is null and named in `unavailable`', async () => {
    const { job, fileClose } = infoJob({
      getTimes: failure(0x80004001, 'IBackgroundCopyJob::GetTimes'),
      getCustomHeaders: failure(0x80004002, 'QueryInterface(IBackgroundCopyJobHttpOptions)'),
    });
    const d = await details(job);
    expect(d).toMatchObject({
      displayName: 'nightly',
      type: 'download',
      state: 'transferring',
      priority: 'normal',
      times: null,
      customHeaders: null,
      owner: 'S-1-5-21-1',
      files: [{ remoteName: 'http://h/a.bin', localName: 'C:\\a.bin', bytesTotal: 100, bytesTransferred: 40, completed: false }],
      unavailable: ['times', 'customHeaders'],
    });
    expect(fileClose).toHaveBeenCalledTimes(1);
    job.close();
  });

  test('any other failure of a property is not hidden: details() rejects with it', async () => {
    const denied = new BitsError({ hresult: 0x80070005, method: 'IBackgroundCopyJob::GetOwner' });
    const { s, job } = infoJob({ getOwner: () => Promise.reject(denied) });
    await expect(details(job)).rejects.toBe(denied);
    // It stopped there: nothing after the owner was read.
    expect(s.calls).not.toContain('getErrorCount');
    job.close();
  });
});

describe('main()', () => {
  test('resolves with exit code 1 and reports the error when the command fails outside its action (here: releasing the manager)', async () => {
    // The product addon's close() only releases a reference and does not throw;
    // a binding whose close() throws is what reaches main's last line of defence.
    const released = new Error('releasing the manager failed');
    const manager = {
      enumJobs: () => Promise.resolve([]),
      close: () => {
        throw released;
      },
      describe: () => 'The BackgroundCopyManager',
    } as unknown as NativeManager;
    useBinding({
      connect: () => Promise.resolve(manager),
      setEventListener: () => undefined,
      setErrorClasses: () => undefined,
      availability: () => Promise.reject(new Error('scripted: no availability')),
    });
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
    await expect(main(['list'])).resolves.toBe(1);
    expect(out.join('')).toBe('no jobs\n'); // the command itself ran
    expect(err.join('')).toContain('error: releasing the manager failed');
  });
});
