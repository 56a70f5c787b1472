// Bad arguments are refused with TypeError/RangeError before anything reaches the
// binding. The binding here is a recorder: it only proves no call was made; what
// the calls do is the integration suite's business, against real BITS.
import { describe, expect, test } from 'vitest';

import type { NativeJob, NativeManager } from '../../binding.js';
import { jobFromNative } from '../../lib/job/job.js';
import '../../lib/job/job4.js';
import { managerFromNative } from '../../lib/manager.js';

function recorder<T extends object>(): { target: T; calls: string[]; args: unknown[][] } {
  const calls: string[] = [];
  const args: unknown[][] = [];
  const target = new Proxy({} as T, {
    get: (_, prop) =>
      prop === 'id'
        ? '{00000000-0000-0000-0000-000000000000}'
        : (...a: unknown[]) => {
            calls.push(String(prop));
            args.push(a);
            // A manager's getJob gives a job: the same kind of recorder serves.
            return Promise.resolve(prop === 'getJob' ? { id: '{00000000-0000-0000-0000-000000000000}', close: () => undefined, describe: () => 'Job {00000000-0000-0000-0000-000000000000}' } : undefined);
          },
  });
  return { target, calls, args };
}

const manager = recorder<NativeManager>();
const m = managerFromNative(manager.target);
const job = recorder<NativeJob>();
const j = jobFromNative(job.target);

type Case = [string, () => Promise<unknown>, typeof TypeError | typeof RangeError];

const cases: Case[] = [
  ['createJob(123)', () => m.createJob(123 as unknown as string), TypeError],
  ['createJob("")', () => m.createJob(''), RangeError],
  ['createJob(257 characters)', () => m.createJob('x'.repeat(257)), RangeError],
  ['createJob("a\\0b")', () => m.createJob('a\0b'), RangeError],
  ['createJob(name, "sideways")', () => m.createJob('n', 'sideways' as 'download'), RangeError],
  ['createJob(name, 1)', () => m.createJob('n', 1 as unknown as 'download'), TypeError],
  ['getJob("nope")', () => m.getJob('nope'), RangeError],
  ['getJob(undefined)', () => m.getJob(undefined as unknown as string), TypeError],
  ['listJobs({ allUsers: "yes" })', () => m.listJobs({ allUsers: 'yes' as unknown as boolean }), TypeError],
  ['listJobs(null)', () => m.listJobs(null as unknown as object), TypeError],
  ['getErrorDescription(1.5)', () => m.getErrorDescription(1.5), RangeError],
  ['getErrorDescription(2**32)', () => m.getErrorDescription(2 ** 32), RangeError],
  ['getErrorDescription(hr, 0x10000)', () => m.getErrorDescription(0x80200001, 0x10000), RangeError],
  ['addFile(url, relative path)', () => j.addFile('http://127.0.0.1/a', 'downloads\\a.bin'), RangeError],
  ['addFile(url, rooted path without a drive)', () => j.addFile('http://127.0.0.1/a', '\\a.bin'), RangeError],
  ['addFile(url, Unix path)', () => j.addFile('http://127.0.0.1/a', '/tmp/a.bin'), RangeError],
  ['addFile(url, wildcard)', () => j.addFile('http://127.0.0.1/a', 'C:\\tmp\\*.bin'), RangeError],
  ['addFile(url, \\\\?\\ path)', () => j.addFile('http://127.0.0.1/a', '\\\\?\\C:\\tmp\\a.bin'), RangeError],
  ['addFile(url, stream)', () => j.addFile('http://127.0.0.1/a', 'C:\\tmp\\a.bin:stream'), RangeError],
  ['addFile(url, folder)', () => j.addFile('http://127.0.0.1/a', 'C:\\tmp\\'), RangeError],
  ['addFile(url, over MAX_PATH)', () => j.addFile('http://127.0.0.1/a', `C:\\${'a'.repeat(260)}`), RangeError],
  ['addFile(ftp url, path)', () => j.addFile('ftp://host/a', 'C:\\tmp\\a.bin'), RangeError],
  ['addFile(not a url, path)', () => j.addFile('just words', 'C:\\tmp\\a.bin'), RangeError],
  ['addFile(url over 2200, path)', () => j.addFile(`http://h/${'a'.repeat(2200)}`, 'C:\\tmp\\a.bin'), RangeError],
  ['addFile(42, path)', () => j.addFile(42 as unknown as string, 'C:\\tmp\\a.bin'), TypeError],
  ['addFiles([])', () => j.addFiles([]), RangeError],
  ['addFiles("x")', () => j.addFiles('x' as unknown as []), TypeError],
  ['addFiles([null])', () => j.addFiles([null as unknown as { remoteUrl: string; localPath: string }]), TypeError],
];

describe('bad input', () => {
  test.each(cases)('%s rejects with the right error and calls nothing', async (_, call, type) => {
    const before = manager.calls.length + job.calls.length;
    await expect(call()).rejects.toBeInstanceOf(type);
    expect(manager.calls.length + job.calls.length).toBe(before);
  });

  test('good input does reach the binding, normalized', async () => {
    await m.getJob('6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    expect(manager.calls.at(-1)).toBe('getJob');
    await j.addFile('http://127.0.0.1/a', 'c:/tmp/a.bin');
    expect(job.calls.at(-1)).toBe('addFile');
    expect(job.args.at(-1)).toEqual(['http://127.0.0.1/a', 'c:\\tmp\\a.bin']);
  });
});
