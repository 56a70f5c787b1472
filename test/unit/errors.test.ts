import { describe, expect, test } from 'vitest';

import { BitsError, hresultName } from '../../lib/index.js';
import { DISCONNECTION_HRESULTS } from '../../lib/errors.js';

describe('hresultName', () => {
  test.each([
    [0x80200001, 'BG_E_NOT_FOUND'],
    [0x80200049, 'BG_E_TOO_MANY_JOBS_PER_USER'],
    [0x80200050, 'BG_E_TOO_MANY_JOBS_PER_MACHINE'],
    [0x80200076, 'BG_E_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK'],
    [0x00200017, 'BG_S_PARTIAL_COMPLETE'],
    [0x80190194, 'BG_E_HTTP_ERROR_404'],
    [0x801901a5, 'BG_E_HTTP_ERROR_421'], // not in bitsmsg.h: derived from the HTTP rule
    [0x80004001, 'E_NOTIMPL'],
    [0x80004002, 'E_NOINTERFACE'],
    [0x800704dd, 'ERROR_NOT_LOGGED_ON'],
    [0x800706ba, 'RPC_S_SERVER_UNAVAILABLE'],
    [0x80070bbb, 'HRESULT_FROM_WIN32(3003)'],
    [0x81234567, 'HRESULT_0x81234567'],
  ])('0x%s is %s', (hr, name) => {
    expect(hresultName(hr)).toBe(name);
  });

  test('signed HRESULTs (as C# prints them) name the same code', () => {
    expect(hresultName(-2145386495)).toBe('BG_E_NOT_FOUND');
  });
});

describe('BitsError', () => {
  test('carries hresult, code, method and a readable message', () => {
    const e = new BitsError({ hresult: -2145386495, method: 'IBackgroundCopyManager::GetJob', description: 'The requested job was not found.' });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('BitsError');
    expect(e.hresult).toBe(0x80200001);
    expect(e.code).toBe('BG_E_NOT_FOUND');
    expect(e.method).toBe('IBackgroundCopyManager::GetJob');
    expect(e.description).toBe('The requested job was not found.');
    expect(e.message).toBe('The requested job was not found. (BG_E_NOT_FOUND, 0x80200001, in IBackgroundCopyManager::GetJob).');
    expect(e.disconnected).toBe(false);
  });

  test('a lost service says so and tells what to do', () => {
    const e = new BitsError({ hresult: 0x800706ba, method: 'IBackgroundCopyJob::GetState', description: 'RPC server unavailable' });
    expect(e.disconnected).toBe(true);
    expect(e.message).toMatch(/connection to the BITS service is lost: call BackgroundCopyManager.connect\(\) again/);
  });

  test('each code a stopping or stopped service answers with counts as disconnected, each by its name', () => {
    // What service.test.ts accepts as the first failure after net stop bits.
    // RPC_S_UNKNOWN_IF: 1717 (0x6B5) on Microsoft's System Error Codes (1700-3999) page.
    const names = ['RPC_S_SERVER_UNAVAILABLE', 'RPC_S_CALL_FAILED', 'RPC_S_CALL_FAILED_DNE', 'RPC_S_UNKNOWN_IF', 'RPC_E_DISCONNECTED', 'RPC_E_SERVER_DIED', 'RPC_E_SERVER_DIED_DNE', 'CO_E_OBJNOTCONNECTED', 'CO_E_SERVER_STOPPING', 'ERROR_SERVICE_NOT_ACTIVE'];
    expect(DISCONNECTION_HRESULTS.map((h) => new BitsError({ hresult: h, method: 'IBackgroundCopyJob::GetState' })).map((e) => [e.code, e.disconnected])).toEqual(names.map((n) => [n, true]));
    expect(new BitsError({ hresult: 0x80070005, method: 'IBackgroundCopyJob::GetState' }).disconnected).toBe(false);
  });

  test('without a description from BITS, a built-in one says what happened', () => {
    const e = new BitsError({ hresult: 0x800704dd, method: 'IBackgroundCopyJob::Resume' });
    expect(e.code).toBe('ERROR_NOT_LOGGED_ON');
    expect(e.message).toMatch(/logged on interactively/);
    expect(new BitsError({ hresult: 0x80200049, method: 'IBackgroundCopyManager::CreateJob' }).message).toMatch(/60/);
    expect(new BitsError({ hresult: 0x80200050, method: 'IBackgroundCopyManager::CreateJob' }).message).toMatch(/300/);
    expect(new BitsError({ hresult: 0x80200018, method: 'x' }).description).toBe('Proxy list too large');
    expect(new BitsError({ hresult: 0x80190194, method: 'x' }).description).toMatch(/HTTP status 404/);
  });

  test('every BG_E code of bitsmsg.h and the newer ones has a name', async () => {
    const { HRESULT_NAMES } = await import('../../lib/hresult-names.js');
    const names = new Set(HRESULT_NAMES.values());
    for (const n of ['BG_E_EMPTY', 'BG_E_INVALID_STATE', 'BG_E_TOO_MANY_FILES_IN_JOB', 'BG_E_READ_ONLY_WHEN_JOB_ACTIVE', 'BG_S_OVERRIDDEN_BY_POLICY', 'BITS_MC_JOB_CANCELLED']) {
      expect(names).toContain(n);
    }
    expect(HRESULT_NAMES.size).toBeGreaterThan(180);
  });
});
