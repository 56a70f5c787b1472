// close(), `using` and what util.inspect shows, for the three wrappers of native
// objects: the native reference is released once, later calls are refused with
// ObjectClosedError, and the printed form says so. Fake native objects only
// count their calls: what the addon does at close is the integration suite's.
import { inspect } from 'node:util';

import { afterEach, describe, expect, test, vi } from 'vitest';

import type { NativeFile, NativeManager } from '../../binding.js';
import { fileFromNative } from '../../lib/file.js';
import { ObjectClosedError } from '../../lib/index.js';
import type { BackgroundCopyJob } from '../../lib/index.js';
import { watchedJobCount } from '../../lib/job/watch.js';
import { managerFromNative } from '../../lib/manager.js';
import { scripted } from '../support/scripted-binding.js';

afterEach(() => {
  expect(watchedJobCount()).toBe(0);
});

/** A wrapper over a fake native object that counts its close() and its one read. */
interface Wrapped {
  wrapper: Disposable & { close(): void };
  nativeClose: ReturnType<typeof vi.fn>;
  nativeRead: ReturnType<typeof vi.fn>;
  /** A call through the wrapper to the native read, and what it answers while open. */
  read(): Promise<unknown>;
  answer: unknown;
}

const wrappers: Array<{ name: string; what: string; wrap: () => Wrapped }> = [
  {
    name: 'BackgroundCopyFile',
    what: 'The file',
    wrap: () => {
      const nativeClose = vi.fn();
      const nativeRead = vi.fn(() => Promise.resolve('http://h/a'));
      const file = fileFromNative({ close: nativeClose, describe: () => 'The file', getRemoteName: nativeRead } as unknown as NativeFile);
      return { wrapper: file, nativeClose, nativeRead, read: () => file.getRemoteName(), answer: 'http://h/a' };
    },
  },
  {
    name: 'BackgroundCopyManager',
    what: 'The BackgroundCopyManager',
    wrap: () => {
      const nativeClose = vi.fn();
      const nativeRead = vi.fn(() => Promise.resolve([]));
      const manager = managerFromNative({ close: nativeClose, describe: () => 'The BackgroundCopyManager', enumJobs: nativeRead } as unknown as NativeManager);
      return { wrapper: manager, nativeClose, nativeRead, read: () => manager.listJobs(), answer: [] };
    },
  },
];

describe.each(wrappers)('$name', ({ name, what, wrap }) => {
  test('close() releases the native object once; later calls reject; inspect shows it closed', async () => {
    const w = wrap();
    expect(inspect(w.wrapper)).toBe(`${name} {}`);
    await expect(w.read()).resolves.toEqual(w.answer);
    w.wrapper.close();
    w.wrapper.close();
    expect(w.nativeClose).toHaveBeenCalledTimes(1);
    expect(inspect(w.wrapper)).toBe(`${name} { closed }`);
    await expect(w.read()).rejects.toThrow(new ObjectClosedError(what));
    expect(w.nativeRead).toHaveBeenCalledTimes(1);
  });

  test('`using` closes it at the end of the block', () => {
    const w = wrap();
    {
      using wrapper = w.wrapper;
      expect(inspect(wrapper)).toBe(`${name} {}`);
      expect(w.nativeClose).not.toHaveBeenCalled();
    }
    expect(w.nativeClose).toHaveBeenCalledTimes(1);
    expect(inspect(w.wrapper)).toBe(`${name} { closed }`);
  });
});

describe('BackgroundCopyJob', () => {
  test('`using` closes it at the end of the block: its watch ends, its listeners go, later calls reject', async () => {
    const s = scripted({ states: ['transferring'] });
    let outer: BackgroundCopyJob | undefined;
    {
      using job = s.job();
      outer = job;
      job.pollIntervalMs = 3_600_000;
      job.on('state', () => undefined);
      expect(watchedJobCount()).toBe(1);
      expect(inspect(job)).toBe(`BackgroundCopyJob { id: '${s.id}' }`);
    }
    const job = outer;
    expect(s.callsOf(job).at(-1)).toBe('close');
    expect(s.callsOf(job).filter((c) => c === 'close')).toHaveLength(1);
    expect(watchedJobCount()).toBe(0);
    expect(job.listenerCount('state')).toBe(0);
    expect(inspect(job)).toBe(`BackgroundCopyJob { id: '${s.id}', closed }`);
    await expect(job.getSnapshot()).rejects.toThrow(new ObjectClosedError(`Job ${s.id}`));
    job[Symbol.dispose]();
    expect(s.callsOf(job).filter((c) => c === 'close')).toHaveLength(1);
  });
});
