// The converters of values only Windows returns: each runs on
// memory laid out as Windows hands it back (CoTaskMemAlloc, the headers' real
// structs), through the test addon's debugConvert. A malloc spy counts the
// blocks: every converter must free what it took over exactly once.
import { describe, expect, it } from 'vitest';

import { rawBinding } from './helpers.js';
import type { ConvertResult } from '../support/test-binding.js';

/** Runs one conversion and checks the allocation books: allocated == freed once, none twice, none left. */
function convert(kind: string, input: unknown, allocations: number): ConvertResult {
  const r = rawBinding.debugConvert(kind, input);
  expect({ allocations: r.allocations, frees: r.frees, doubleFrees: r.doubleFrees, leaked: r.leaked }).toEqual({
    allocations,
    frees: allocations,
    doubleFrees: 0,
    leaked: 0,
  });
  return r;
}

describe('the allocation counter itself', () => {
  it('sees a block freed once, a leak, and a double free', () => {
    expect(rawBinding.debugConvert('spyCheck', { leak: false, doubleFree: false })).toMatchObject({ allocations: 1, frees: 1, doubleFrees: 0, leaked: 0 });
    expect(rawBinding.debugConvert('spyCheck', { leak: true, doubleFree: false })).toMatchObject({ allocations: 1, frees: 0, doubleFrees: 0, leaked: 1 });
    expect(rawBinding.debugConvert('spyCheck', { leak: false, doubleFree: true })).toMatchObject({ allocations: 1, frees: 1, doubleFrees: 1, leaked: 0 });
  });
});

describe('BITS_JOB_PROPERTY_VALUE (IBackgroundCopyJob5::GetProperty)', () => {
  // The union is filled with 0xA5 first: reading the wrong member shows.
  it('DWORD: cost flags and the minimum notification interval', () => {
    expect(convert('jobProperty', { id: 1, dword: 0x80000021 }, 0).value).toBe(0x80000021);
    expect(convert('jobProperty', { id: 9, dword: 500 }, 0).value).toBe(500);
    expect(convert('jobProperty', { id: 1, dword: 0xffffffff }, 0).value).toBe(0xffffffff);
  });
  it('CLSID: the notification CLSID, braced upper case', () => {
    const clsid = '{4BD3E4E1-7BD4-4A2B-9964-496400DE5193}';
    expect(convert('jobProperty', { id: 2, clsid: clsid.toLowerCase() }, 0).value).toBe(clsid);
  });
  it('BOOL: dynamic content, high performance, on-demand mode', () => {
    for (const id of [3, 4, 10]) {
      expect(convert('jobProperty', { id, enable: true }, 0).value).toBe(true);
      expect(convert('jobProperty', { id, enable: false }, 0).value).toBe(false);
    }
  });
  it('UINT64: the maximum download size, up to 2^53', () => {
    expect(convert('jobProperty', { id: 5, uint64: 0n }, 0).value).toBe(0);
    expect(convert('jobProperty', { id: 5, uint64: 1n << 40n }, 0).value).toBe(2 ** 40);
    expect(convert('jobProperty', { id: 5, uint64: 1n << 53n }, 0).value).toBe(2 ** 53);
  });
  it('TARGET: use stored credentials (BG_AUTH_TARGET_PROXY)', () => {
    expect(convert('jobProperty', { id: 7, target: 2 }, 0).value).toBe(2);
  });
});

describe('BITS_FILE_PROPERTY_VALUE (IBackgroundCopyFile5::GetProperty, HTTP response headers)', () => {
  it('the text, freed once', () => {
    const headers = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: "\u00e9t\u00e9"\r\n\r\n';
    expect(convert('fileProperty', headers, 1).value).toBe(headers);
  });
  it('NULL is null; an empty text stays empty', () => {
    expect(convert('fileProperty', null, 0).value).toBeNull();
    expect(convert('fileProperty', '', 1).value).toBe('');
  });
});

describe('BG_FILE_RANGE arrays (GetFileRanges, GetFilledFileRanges)', () => {
  it('0 entries: a NULL array and an empty block', () => {
    expect(convert('ranges', { ranges: [], nullArray: true }, 0).value).toEqual([]);
    expect(convert('ranges', { ranges: [] }, 1).value).toEqual([]);
  });
  it('1 entry, to the end of the file (BG_LENGTH_TO_EOF is null)', () => {
    expect(convert('ranges', { ranges: [{ offset: 0, length: null }] }, 1).value).toEqual([{ offset: 0, length: null }]);
    expect(convert('ranges', { ranges: [{ offset: 2n ** 40n, length: 1 }] }, 1).value).toEqual([{ offset: 2 ** 40, length: 1 }]);
  });
  it('500 entries (the most BITS allows per file), the last to EOF', () => {
    const ranges = Array.from({ length: 500 }, (_, i) => ({ offset: i * 4096, length: i === 499 ? null : 1000 + i }));
    expect(convert('ranges', { ranges }, 1).value).toEqual(ranges);
  });
});

describe('reply data (IBackgroundCopyJob2::GetReplyData)', () => {
  const expected = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff));
  it('0 bytes: an empty block, and NULL', () => {
    expect(convert('replyData', { length: 0 }, 1).value).toEqual(Buffer.alloc(0));
    expect(convert('replyData', { length: 0, nullData: true }, 0).value).toEqual(Buffer.alloc(0));
  });
  it('1 byte', () => {
    expect(convert('replyData', { length: 1 }, 1).value).toEqual(Buffer.from([7]));
  });
  it('1 MiB, byte for byte', () => {
    const value = convert('replyData', { length: 1 << 20 }, 1).value as Buffer;
    expect(Buffer.isBuffer(value)).toBe(true);
    expect(value.equals(expected(1 << 20))).toBe(true);
  });
});

describe('BG_JOB_TIMES (IBackgroundCopyJob::GetTimes)', () => {
  it('zero FILETIMEs are null', () => {
    expect(convert('times', [null, null, null], 0).value).toEqual({ creationTime: null, modificationTime: null, transferCompletionTime: null });
  });
  it('real FILETIMEs are milliseconds since 1970', () => {
    const created = Date.UTC(2026, 10, 27, 9, 0, 0, 123);
    expect(convert('times', [created, created + 1500, null], 0).value).toEqual({
      creationTime: created,
      modificationTime: created + 1500,
      transferCompletionTime: null,
    });
    expect(convert('times', [0, 0, 0], 0).value).toEqual({ creationTime: 0, modificationTime: 0, transferCompletionTime: 0 });
  });
  it("the system clock's FILETIME is Date.now()", () => {
    const before = Date.now();
    const value = convert('times', ['now', null, null], 0).value as { creationTime: number };
    const after = Date.now();
    expect(value.creationTime).toBeGreaterThanOrEqual(before - 1);
    expect(value.creationTime).toBeLessThanOrEqual(after + 1);
  });
});

describe('peer download stats (IBackgroundCopyFile4::GetPeerDownloadStats)', () => {
  it('both counts, as numbers', () => {
    expect(convert('peerStats', { fromOrigin: 123_456_789_012n, fromPeers: 0n }, 0).value).toEqual({ fromOrigin: 123_456_789_012, fromPeers: 0 });
    expect(convert('peerStats', { fromOrigin: 0, fromPeers: 2 ** 40 }, 0).value).toEqual({ fromOrigin: 0, fromPeers: 2 ** 40 });
  });
});

describe('owner SIDs (IBackgroundCopyJob::GetOwner)', () => {
  it('a string SID, freed once', () => {
    expect(convert('owner', 'S-1-5-21-1004336348-1177238915-682003330-1001', 1).value).toBe('S-1-5-21-1004336348-1177238915-682003330-1001');
  });
  it("this process's user's SID, as ConvertSidToStringSid spells it", () => {
    expect(convert('owner', null, 1).value).toMatch(/^S-1-5(-\d+)+$/);
  });
});

describe('client certificates (IBackgroundCopyJobHttpOptions::GetClientCertificate)', () => {
  const hash = Buffer.from('00112233445566778899aabbccddeeff0102fe0f', 'hex'); // a SHA-1 thumbprint
  it('store name, 20-byte hash and subject, each freed once', () => {
    const r = convert('clientCertificate', { hresult: 0, location: 1, store: 'MY', hash, subject: 'CN=client.example' }, 3);
    expect(r.hresult).toBe(0);
    expect(r.value).toEqual({ storeLocation: 1, storeName: 'MY', hash, subjectName: 'CN=client.example' });
  });
  it('a certificate chosen by hash alone: no subject', () => {
    const r = convert('clientCertificate', { hresult: 0, location: 0, store: 'MY', hash, subject: null }, 2);
    expect(r.value).toEqual({ storeLocation: 0, storeName: 'MY', hash, subjectName: null });
  });
  it('no certificate: all NULL with RPC_X_BAD_STUB_DATA, as Microsoft documents, is null', () => {
    for (const hresult of [0x800706f7, 1783]) {
      const r = convert('clientCertificate', { hresult, location: 0, store: null, hash: null, subject: null }, 0);
      expect(r.hresult).toBe(0);
      expect(r.value).toBeNull();
    }
  });
  it('a failure still frees what came back, and passes the HRESULT on', () => {
    const r = convert('clientCertificate', { hresult: 0x80004001, location: 0, store: 'MY', hash, subject: 'CN=x' }, 3);
    expect(r.hresult).toBe(0x80004001);
    expect(r.value).toBeUndefined();
  });
});

describe('"none" out-strings (GetReplyFileName, GetCustomHeaders, GetTemporaryName, GetNotifyCmdLine)', () => {
  it('NULL and "" are null; text is text', () => {
    expect(convert('nonEmptyTextOrNull', null, 0).value).toBeNull();
    expect(convert('nonEmptyTextOrNull', '', 1).value).toBeNull();
    expect(convert('nonEmptyTextOrNull', 'C:\\replies\\r.bin', 1).value).toBe('C:\\replies\\r.bin');
    expect(convert('nonEmptyTextOrNull', 'X-Token: 1\r\n', 1).value).toBe('X-Token: 1\r\n');
  });
  it('GetNotifyCmdLine: NULL (Wine) and L"" (Windows) both give null program and parameters', () => {
    expect(convert('notifyCmdLine', { program: null, parameters: null }, 0).value).toEqual({ program: null, parameters: null });
    expect(convert('notifyCmdLine', { program: '', parameters: '' }, 2).value).toEqual({ program: null, parameters: null });
    expect(convert('notifyCmdLine', { program: 'C:\\Windows\\notepad.exe', parameters: 'notepad.exe a.txt' }, 2).value).toEqual({
      program: 'C:\\Windows\\notepad.exe',
      parameters: 'notepad.exe a.txt',
    });
  });
});

describe('an allocation failing inside a converter (std::bad_alloc, as a user machine may give)', () => {
  // Each input holds CoTaskMem blocks the converter takes over. Failing the 1st,
  // 2nd, ... C++ allocation of the conversion in turn, until one runs through:
  // whichever copy fails, every block is still freed, exactly once.
  const cases: Array<[string, unknown]> = [
    ['owner', 'S-1-5-21-1-2-3-1001'],
    ['nonEmptyTextOrNull', 'C:\\reply.txt'],
    ['fileProperty', 'HTTP/1.1 200 OK\r\n\r\n'],
    ['notifyCmdLine', { program: 'C:\\windows\\system32\\cmd.exe', parameters: '/c exit 0' }],
    ['clientCertificate', { hresult: 0, location: 0, store: 'MY', hash: Buffer.alloc(20, 3), subject: 'CN=windows-bits' }],
    ['replyData', { length: 1000 }],
  ];
  it.each(cases)('%s', (kind, input) => {
    let failedInside = 0;
    for (let skip = 0; skip < 200; skip++) {
      const r = rawBinding.debugConvert(kind, input, skip);
      expect({ skip, frees: r.frees, doubleFrees: r.doubleFrees, leaked: r.leaked }).toEqual({ skip, frees: r.allocations, doubleFrees: 0, leaked: 0 });
      if (r.threw && r.allocations > 0) failedInside++;
      if (r.failedAllocations === 0) {
        expect(r.threw).toBe(false);
        expect(r.value).not.toBeNull();
        // The converter itself failed at least once while holding blocks.
        expect(failedInside).toBeGreaterThan(0);
        return;
      }
    }
    throw new Error(`${kind}: still failing after 200 allocations`);
  });
});
