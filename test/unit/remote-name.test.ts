// Remote names: URLs, UNC paths and absolute local paths are what BITS takes
// (an absolute local path is copied like a share's file: Wine's qmgr conformance
// tests assert S_OK for AddFile(L"C:\\...")); relative paths are refused with a
// RangeError that says why, before anything reaches BITS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, test } from 'vitest';

import { downloadSpecs } from '../../lib/cli/transfer-commands.js';
import { UnsupportedPlatformError, download } from '../../lib/index.js';
import { checkTransfer } from '../../lib/transfer-options.js';
import { requireRemoteName } from '../../lib/validate.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('requireRemoteName', () => {
  test.each([
    ['http://127.0.0.1/a.bin', 'http://127.0.0.1/a.bin'],
    ['https://example.com/a.bin', 'https://example.com/a.bin'],
    ['file://C:\\data\\src.bin', 'file://C:\\data\\src.bin'],
    ['\\\\server\\share\\src.bin', '\\\\server\\share\\src.bin'],
    ['C:\\data\\src.bin', 'C:\\data\\src.bin'],
    ['c:\\data\\src.bin', 'c:\\data\\src.bin'],
    ['Z:\\tmp\\x\\src.bin', 'Z:\\tmp\\x\\src.bin'],
    ['C:/data/src.bin', 'C:\\data\\src.bin'],
    ['C:\\data\\old\\..\\.\\src.bin', 'C:\\data\\src.bin'],
    ['\\\\?\\C:\\data\\src.bin', '\\\\?\\C:\\data\\src.bin'],
    ['\\\\?\\UNC\\server\\share\\src.bin', '\\\\?\\UNC\\server\\share\\src.bin'],
  ])('accepts %s as %s', (given, expected) => {
    expect(requireRemoteName('remoteUrl', given)).toBe(expected);
  });

  test.each([
    ['src.bin', "remoteUrl must be an http, https or file URL, a UNC path or an absolute local path: 'src.bin'"],
    ['data\\src.bin', "remoteUrl must be an http, https or file URL, a UNC path or an absolute local path: 'data\\src.bin'"],
    ['C:src.bin', "remoteUrl 'C:src.bin' is relative to the current folder of drive C:; give a full path such as C:\\data\\file.bin"],
    ['\\data\\src.bin', "remoteUrl '\\data\\src.bin' has no drive; give a full path such as C:\\data\\file.bin"],
    ['/tmp/src.bin', "remoteUrl '/tmp/src.bin' has no drive; give a full path such as C:\\data\\file.bin"],
    ['C:\\data\\', "remoteUrl must name a file, not a folder: 'C:\\data\\'"],
    ['\\\\?\\C:/data/src.bin', "remoteUrl must follow \\\\?\\ with a drive (\\\\?\\C:\\...) or UNC\\server\\share, got '\\\\?\\C:/data/src.bin'"],
    ['\\\\?\\src.bin', "remoteUrl must follow \\\\?\\ with a drive (\\\\?\\C:\\...) or UNC\\server\\share, got '\\\\?\\src.bin'"],
    ['ftp://host/src.bin', "remoteUrl must use http, https or file (SMB); 'ftp:' is not supported by BITS"],
    ['cd:\\data\\src.bin', "remoteUrl must use http, https or file (SMB); 'cd:' is not supported by BITS"],
  ])('refuses %s with a RangeError that says why', (given, message) => {
    const error = thrown(() => requireRemoteName('remoteUrl', given));
    expect(error).toBeInstanceOf(RangeError);
    expect((error as RangeError).message).toBe(message);
  });

  test('the length limit applies to local paths too', () => {
    expect(() => requireRemoteName('remoteUrl', `C:\\${'a'.repeat(2200)}`)).toThrow(RangeError);
  });
});

describe('download() and bits download with local sources', () => {
  test('download() refuses a relative source before it connects to BITS', async () => {
    // checkTransfer is what download() runs before it connects (on Windows; off
    // Windows the platform is the reason first, UnsupportedPlatformError).
    const files = (remoteUrl: string) => [{ remoteUrl, localPath: 'C:\\out\\src.bin' }];
    expect(() => checkTransfer('download', files('C:src.bin'), {})).toThrow(
      new RangeError("files[0].remoteUrl 'C:src.bin' is relative to the current folder of drive C:; give a full path such as C:\\data\\file.bin"),
    );
    expect(() => checkTransfer('download', files('src.bin'), {})).toThrow(RangeError);
    if (process.platform !== 'win32') await expect(download('C:src.bin', 'C:\\out\\src.bin')).rejects.toBeInstanceOf(UnsupportedPlatformError);
  });

  test('bits download into a folder names the file after the local source', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'windows-bits-specs-'));
    try {
      expect(downloadSpecs(['C:\\data\\src.bin', '\\\\?\\C:\\data\\b.bin', '\\\\server\\share\\c.bin', 'http://h/d%20e.bin', dir])).toEqual([
        { remoteUrl: 'C:\\data\\src.bin', localPath: path.join(dir, 'src.bin') },
        { remoteUrl: '\\\\?\\C:\\data\\b.bin', localPath: path.join(dir, 'b.bin') },
        { remoteUrl: '\\\\server\\share\\c.bin', localPath: path.join(dir, 'c.bin') },
        { remoteUrl: 'http://h/d%20e.bin', localPath: path.join(dir, 'd e.bin') },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
