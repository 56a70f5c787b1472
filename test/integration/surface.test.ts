// The wider job surface: each property reads back on Windows, or fails on Wine
// with the clean typed error Wine's BITS gives for it.
import path from 'node:path';

import { describe, expect, test, vi } from 'vitest';

import { BitsError } from '../../lib/index.js';
import { startServer } from '../support/http-server.js';
import { expectCode, fileFixture, rawBinding, realOrNotImplemented, wine } from './helpers.js';

const { folder, createJob } = fileFixture();

describe('IBackgroundCopyJob properties', () => {
  test('description, retry delay, no-progress timeout and notify flags read back', async () => {
    const j = await createJob('props');
    await j.setDescription('Ünïcødé description 📦');
    expect(await j.getDescription()).toBe('Ünïcødé description 📦');
    await j.setMinimumRetryDelay(61);
    await j.setNoProgressTimeout(901);
    await j.setNotifyFlags(0x3);
    expect(await j.getNotifyFlags()).toBe(0x3);
    // Wine's two setters return S_OK and keep its defaults (30 s and 900 s).
    // SetMinimumRetryDelay: 5 s at least, so 61 s stands; GetMinimumRetryDelay reads it back
    expect(await j.getMinimumRetryDelay()).toBe(wine ? 30 : 61);
    // SetNoProgressTimeout: GetNoProgressTimeout reads back the period set
    expect(await j.getNoProgressTimeout()).toBe(wine ? 900 : 901);
  });

  test('priority, error count, owner, times: real on Windows, E_NOTIMPL on Wine', async () => {
    const j = await createJob('props2');
    await j.setPriority('high');
    // GetPriority: the priority SetPriority gave the job
    await realOrNotImplemented(j.getPriority(), (p) => expect(p).toBe('high'), 'IBackgroundCopyJob::GetPriority');
    // GetErrorCount: how many times an error occurred; none for a job never resumed
    await realOrNotImplemented(j.getErrorCount(), (n) => expect(n).toBe(0), 'IBackgroundCopyJob::GetErrorCount');
    // GetOwner: the SID of the job owner, as a string (S-1-...)
    await realOrNotImplemented(j.getOwner(), (o) => expect(o).toMatch(/^S-1-/), 'IBackgroundCopyJob::GetOwner');
    // GetTimes: CreationTime is when the job was created
    await realOrNotImplemented(j.getTimes(), (t) => expect(t.creationTime?.getTime()).toBeGreaterThan(Date.now() - 600_000), 'IBackgroundCopyJob::GetTimes');
    // SetDisplayName: the name set is the one GetDisplayName returns
    await realOrNotImplemented(
      j.setDisplayName('renamed').then(() => j.getDisplayName()),
      (name) => expect(name).toBe('renamed'),
      'IBackgroundCopyJob::SetDisplayName',
    );
  });

  test('proxy settings and the notify command line: real on Windows, E_NOTIMPL on Wine', async () => {
    const j = await createJob('proxy');
    // SetProxySettings: BG_JOB_PROXY_USAGE_OVERRIDE takes the proxy and bypass lists GetProxySettings gives back
    await realOrNotImplemented(
      j.setProxySettings({ usage: 'override', proxyList: 'http://127.0.0.1:3128', bypassList: '<local>' }).then(() => j.getProxySettings()),
      (p) => expect(p).toEqual({ usage: 'override', proxyList: 'http://127.0.0.1:3128', bypassList: '<local>' }),
      'IBackgroundCopyJob::SetProxySettings',
    );
    // GetNotifyCmdLine: L"" for both when SetNotifyCmdLine was never called, which the converter makes null
    await realOrNotImplemented(j.getNotifyCmdLine(), (c) => expect(c).toEqual({ program: null, parameters: null }), 'IBackgroundCopyJob2::GetNotifyCmdLine');
  });

  test('IBackgroundCopyJob3: file ACL flags read back; ranges are accepted', async () => {
    const j = await createJob('job3');
    await j.setFileACLFlags(1);
    // SetFileACLFlags: the flags set are what GetFileACLFlags returns
    expect(await j.getFileACLFlags()).toBe(wine ? 0 : 1); // Wine's setter accepts and forgets
    await j.addFileWithRanges('http://127.0.0.1:9/x.bin', path.join(folder.dir, 'ranges.bin'), [{ offset: 0, length: 10 }, { offset: 100, length: null }]);
    const files = await j.listFiles();
    // AddFileWithRanges: the file is added with its ranges; GetFileRanges gives them back (BG_LENGTH_TO_EOF as null)
    if (wine) expect(files).toHaveLength(0); // Wine's AddFileWithRanges returns S_OK and adds nothing
    else expect(await files[0]?.getFileRanges()).toEqual([{ offset: 0, length: 10 }, { offset: 100, length: null }]);
  });

  test('IBackgroundCopyJob5 and HttpOptions2: E_NOINTERFACE on Wine; on Windows a method for a plain job, refused for a dynamic one', async () => {
    const dynamic = await createJob('job5 dynamic content');
    const plain = await createJob('job5 http method');
    // BITS_JOB_PROPERTY_ID: DYNAMIC_CONTENT reads back. SetHttpMethod: refused for DYNAMIC_CONTENT and ON_DEMAND_MODE
    // jobs; the page names no code, bitsmsg.h's BG_E_UNSUPPORTED_JOB_CONFIGURATION is "The current job configuration
    // is not compatible with the requested action". GetHttpMethod: the method set on the plain job.
    if (wine) {
      await expectCode(dynamic.setDynamicContent(true), 'E_NOINTERFACE', 'IBackgroundCopyJob5::SetProperty');
      await expectCode(plain.getHttpMethod(), 'E_NOINTERFACE', 'IBackgroundCopyJobHttpOptions2::GetHttpMethod');
    } else {
      await dynamic.setDynamicContent(true);
      expect(await dynamic.getDynamicContent()).toBe(true);
      await expectCode(dynamic.setHttpMethod('POST'), 'BG_E_UNSUPPORTED_JOB_CONFIGURATION', 'IBackgroundCopyJobHttpOptions2::SetHttpMethod');
      await plain.setHttpMethod('POST');
      expect(await plain.getHttpMethod()).toBe('POST');
    }
  });

  test('HttpOptions3 (write-only headers, certificate validation): E_NOINTERFACE on Wine, accepted on Windows', async () => {
    const j = await createJob('httpoptions3');
    const validate = j.setServerCertificateValidation(() => true);
    // SetServerCertificateValidationInterface: S_OK on a suspended job; nullptr removes the callback.
    // GetCustomHeaders: E_ACCESSDENIED once MakeCustomHeadersWriteOnly was called
    if (wine) {
      await expectCode(validate, 'E_NOINTERFACE', 'IBackgroundCopyJobHttpOptions3::SetServerCertificateValidationInterface');
      await expectCode(j.makeCustomHeadersWriteOnly(), 'E_NOINTERFACE', 'IBackgroundCopyJobHttpOptions3::MakeCustomHeadersWriteOnly');
    } else {
      await validate;
      await j.setServerCertificateValidation(null);
      await j.setCustomHeaders({ 'X-Secret': 'x' });
      await j.makeCustomHeadersWriteOnly();
      await expectCode(j.getCustomHeaders(), 'E_ACCESSDENIED', 'IBackgroundCopyJobHttpOptions::GetCustomHeaders');
    }
    await expect(j.setServerCertificateValidation('yes' as unknown as null)).rejects.toBeInstanceOf(TypeError);
  });

  test('IBackgroundCopyFile4/5/6 of a plain job: nothing from peers, no filled ranges (E_NOINTERFACE on Wine)', async () => {
    const j = await createJob('file456');
    await j.addFile('http://127.0.0.1:9/f.bin', path.join(folder.dir, 'f456.bin'));
    const [file] = await j.listFiles();
    // GetPeerDownloadStats: bytes from the origin and from peers, none before a transfer.
    // GetFilledFileRanges: for download jobs that meet the ON_DEMAND_MODE requirements;
    // BG_E_RANDOM_ACCESS_NOT_SUPPORTED otherwise.
    if (wine) {
      await expectCode(file!.getPeerDownloadStats(), 'E_NOINTERFACE', 'IBackgroundCopyFile4::GetPeerDownloadStats');
      await expectCode(file!.getResponseHeaders(), 'E_NOINTERFACE', 'IBackgroundCopyFile5::GetProperty');
      await expectCode(file!.getFilledFileRanges(), 'E_NOINTERFACE', 'IBackgroundCopyFile6::GetFilledFileRanges');
    } else {
      expect(await file!.getPeerDownloadStats()).toEqual({ fromOrigin: 0, fromPeers: 0 });
      await expectCode(file!.getFilledFileRanges(), 'BG_E_RANDOM_ACCESS_NOT_SUPPORTED', 'IBackgroundCopyFile6::GetFilledFileRanges');
    }
  });

  test('IBackgroundCopyFile6 on an on-demand job over a server that serves ranges: the range asked for is filled', async () => {
    const server = await startServer({ 'on-demand.bin': Buffer.alloc(256 * 1024, 7) });
    try {
      const j = await createJob('on demand');
      // BITS_JOB_PROPERTY_ID: ON_DEMAND_MODE is for download jobs over an HTTP server that serves ranges. RequestFileRanges:
      // BITS downloads the ranges asked for, then suspends the job. GetFilledFileRanges: the downloaded ranges, merged,
      // ordered by offset. Wine has no IBackgroundCopyJob5, so it refuses on-demand mode.
      if (wine) {
        await expectCode(j.setOnDemandMode(true), 'E_NOINTERFACE', 'IBackgroundCopyJob5::SetProperty');
        return;
      }
      await j.setOnDemandMode(true);
      await j.addFile(server.url('on-demand.bin'), path.join(folder.dir, 'on-demand.bin'));
      const [file] = await j.listFiles();
      await file!.requestFileRanges([{ offset: 0, length: 4096 }]);
      await j.resume();
      await vi.waitFor(
        async () => {
          const [first] = await file!.getFilledFileRanges();
          expect(first?.offset).toBe(0);
          expect(first?.length).toBeGreaterThanOrEqual(4096);
        },
        { timeout: 30_000, interval: 100 },
      );
    } finally {
      await server.close();
    }
  });

  test('custom headers and security flags read back', async () => {
    const j = await createJob('headers');
    await j.setCustomHeaders({ 'X-Windows-Bits': 'yes', 'X-Other': 'ü' });
    expect(await j.getCustomHeaders()).toEqual(['X-Windows-Bits: yes', 'X-Other: ü']);
    await j.setSecurityFlags(0x8);
    expect(await j.getSecurityFlags()).toBe(0x8);
    await expect(j.setCustomHeaders(['X-Bad: a\r\nInjected: b'])).rejects.toBeInstanceOf(RangeError);
  });

  test('listFiles() gives each file with names and progress', async () => {
    const j = await createJob('files');
    const a = path.join(folder.dir, 'one.bin');
    await j.addFile('http://127.0.0.1:9/one.bin', a);
    const [file, ...rest] = await j.listFiles();
    expect(rest).toHaveLength(0);
    expect(await file!.getRemoteName()).toBe('http://127.0.0.1:9/one.bin');
    expect((await file!.getLocalName()).toLowerCase()).toBe(a.toLowerCase());
    expect(await file!.getProgress()).toMatchObject({ bytesTransferred: 0, completed: false });
  });

  test('a credential never shows in errors or inspect output, from lib/ or from the addon', async () => {
    const { inspect } = await import('node:util');
    const secret = `s3cr3t-${Math.random().toString(36).slice(2)}`;
    const j = await createJob('credentials');
    await j.setCredentials({ target: 'server', scheme: 'basic', userName: 'user', password: secret });
    // Refused by lib/ before the addon sees it.
    const refused = await j.setCredentials({ target: 'server', scheme: 'basic', userName: 'user', password: `${secret}\0` }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RangeError);
    // Refused by BITS after the addon passed it on: an auth target BITS does not
    // know, which only a direct caller of the binding can send.
    const native = await rawBinding.connect();
    const raw = await native.getJob(j.id);
    const failed = await raw.setCredentials(99, 1, 'user', secret).catch((e: unknown) => e);
    raw.close();
    native.close();
    expect(failed).toBeInstanceOf(BitsError);
    expect((failed as BitsError).method).toBe('IBackgroundCopyJob2::SetCredentials');
    for (const text of [String(refused), inspect(refused), String(failed), inspect(failed, { depth: 5 }), JSON.stringify(failed), inspect(j, { depth: 5, showHidden: true })]) {
      expect(text).not.toContain(secret);
    }
    await j.removeCredentials('server', 'basic');
  });
});
