// scripts/smoke.mjs's decision: the CI smoke step passes only when the file
// arrived intact, and otherwise fails as one line naming the cause, above all the
// logged-off owner of a service runner (ERROR_NOT_LOGGED_ON).
import { describe, expect, test } from 'vitest';

import { NOT_LOGGED_ON, NOT_LOGGED_ON_LINE, verdict } from '../../scripts/smoke.mjs';
import type { SmokeRun } from '../../scripts/smoke.mjs';

const run = (over: Partial<SmokeRun>): SmokeRun => ({ code: 0, timedOut: false, stdout: '', stderr: '', intact: true, job: null, deadlineS: 120, bytes: 1000, ...over });
/** What `bits download --json` prints when the transfer fails with a BitsError. */
const errorDoc = (hresult: number, code: string, message: string): string =>
  JSON.stringify({ error: { name: 'BitsError', message, code, hresult, method: 'IBackgroundCopyJob::GetError', context: 'remote-file', jobId: '{J}' } }, null, 2);

describe('smoke verdict', () => {
  test('passes when the CLI exited 0 and the bytes arrived intact', () => {
    expect(verdict(run({}))).toEqual({ ok: true, line: 'smoke: ok: bits download moved 1000 bytes from a local server intact' });
  });

  test('exit 0 with a missing or different file fails', () => {
    expect(verdict(run({ intact: false }))).toEqual({ ok: false, line: 'smoke: FAIL: bits download exited 0 but the file did not arrive intact' });
  });

  test('ERROR_NOT_LOGGED_ON in the --json error document names the cause', () => {
    expect(NOT_LOGGED_ON).toBe(0x800704dd);
    const v = verdict(run({ code: 1, intact: false, stdout: errorDoc(0x800704dd, 'ERROR_NOT_LOGGED_ON', 'The operation being requested was not performed because the user has not logged on to the network.') }));
    expect(v).toEqual({ ok: false, line: NOT_LOGGED_ON_LINE });
    expect(v.line).toBe("smoke: FAIL: ERROR_NOT_LOGGED_ON (0x800704DD): BITS transfers only while the job's owner is logged on; this runner runs as a service");
  });

  test('the same HRESULT given signed (as some tools print it) is recognised', () => {
    expect(verdict(run({ code: 1, intact: false, stdout: errorDoc(0x800704dd | 0, 'ERROR_NOT_LOGGED_ON', 'x') })).line).toBe(NOT_LOGGED_ON_LINE);
  });

  test('ERROR_NOT_LOGGED_ON in human output (stderr) names the cause', () => {
    const stderr = 'error: the user has not logged on\n  code: ERROR_NOT_LOGGED_ON (0x800704DD) in IBackgroundCopyJob::GetError\n';
    expect(verdict(run({ code: 1, intact: false, stderr })).line).toBe(NOT_LOGGED_ON_LINE);
  });

  test('a deadline with the job stuck in transient-error on ERROR_NOT_LOGGED_ON names the cause', () => {
    const v = verdict(run({ code: null, timedOut: true, intact: false, job: { id: '{J}', state: 'transient-error', error: { code: 'ERROR_NOT_LOGGED_ON', hresult: 0x800704dd } } }));
    expect(v).toEqual({ ok: false, line: NOT_LOGGED_ON_LINE });
  });

  test('a deadline names the job state and error, or that no job was found', () => {
    expect(verdict(run({ code: null, timedOut: true, intact: false, job: { id: '{J}', state: 'transient-error', error: { code: 'BG_E_HTTP_ERROR_416', hresult: 0x801901a0 } } }))).toEqual({
      ok: false,
      line: 'smoke: FAIL: bits download did not finish within 120 s; the job is transient-error with BG_E_HTTP_ERROR_416 (0x801901A0)',
    });
    expect(verdict(run({ code: null, timedOut: true, intact: false, job: { id: '{J}', state: 'connecting', error: null } })).line).toBe(
      'smoke: FAIL: bits download did not finish within 120 s; the job is connecting',
    );
    expect(verdict(run({ code: null, timedOut: true, intact: false })).line).toBe('smoke: FAIL: bits download did not finish within 120 s; no job of this run was found');
    expect(verdict(run({ code: null, timedOut: true, intact: false, job: { id: '{J}', state: 'queued', error: null } })).line).toBe(
      "smoke: FAIL: bits download did not finish within 120 s; the job is queued: BITS never started it, as when the job's owner is not logged on",
    );
  });

  test('a deadline fails even if a file was left behind', () => {
    expect(verdict(run({ code: null, timedOut: true, intact: true })).ok).toBe(false);
  });

  test('any other BITS error is one line with its code, HRESULT and message', () => {
    const stdout = errorDoc(0x80190194, 'BG_E_HTTP_ERROR_404', 'The requested URL does not exist on the server.\nsecond line');
    expect(verdict(run({ code: 1, intact: false, stdout }))).toEqual({
      ok: false,
      line: 'smoke: FAIL: bits download failed: BG_E_HTTP_ERROR_404 (0x80190194) The requested URL does not exist on the server.',
    });
  });

  test('a non-BITS failure shows its exit code and first line of output', () => {
    const stdout = JSON.stringify({ error: { name: 'UnsupportedPlatformError', message: 'BITS needs Windows', code: 'ERR_UNSUPPORTED_PLATFORM' } });
    expect(verdict(run({ code: 3, intact: false, stdout })).line).toBe('smoke: FAIL: bits download failed: ERR_UNSUPPORTED_PLATFORM BITS needs Windows');
    expect(verdict(run({ code: 1, intact: false, stderr: '\n  node:internal/modules boom\nmore' })).line).toBe('smoke: FAIL: bits download exited 1: node:internal/modules boom');
    expect(verdict(run({ code: null, intact: false })).line).toBe('smoke: FAIL: bits download exited by a signal: no output');
  });
});
