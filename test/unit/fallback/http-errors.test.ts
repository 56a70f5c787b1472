// The codes the plain-HTTP fallback gives its failures: those BITS reports for
// the same failure, numbers and names from Microsoft's "BITS Return Values" page
// (BG_E_*) and "System Error Codes" (Win32 errors, as HRESULT_FROM_WIN32 makes
// them 0x8007xxxx). The numbers are written here, not read from the package.
import { describe, expect, test } from 'vitest';

import { httpStatusError, localFileError, networkError } from '../../../lib/fallback/http-errors.js';
import { hresultOf } from '../../../lib/hresult-names.js';

const place = { method: 'HTTP GET', remoteName: 'https://example.test/a.bin', localName: 'C:\\a.bin' };
const failure = (code: string): Error => Object.assign(new Error(`failed: ${code}`), { code });

describe('the fallback names its failures as BITS does', () => {
  test.each([
    // BITS Return Values: BG_E_CONNECT_FAILURE (0x8020002D), BG_E_NAME_RESOLUTION_FAILURE (0x80200031), BG_E_CONNECTION_CLOSED (0x8020002E),
    // BG_E_TIMEOUT (0x8020003B), BG_E_SECURE_CHANNEL_FAILURE (0x80200038), BG_E_INVALID_SERVER_RESPONSE (0x8020001B), BG_E_UNKNOWN_ERROR (0x8020003D)
    ['ECONNREFUSED', 'BG_E_CONNECT_FAILURE', 0x8020002d],
    ['ENOTFOUND', 'BG_E_NAME_RESOLUTION_FAILURE', 0x80200031],
    ['ECONNRESET', 'BG_E_CONNECTION_CLOSED', 0x8020002e],
    ['ETIMEDOUT', 'BG_E_TIMEOUT', 0x8020003b],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'BG_E_SECURE_CHANNEL_FAILURE', 0x80200038],
    ['HPE_INVALID_CONSTANT', 'BG_E_INVALID_SERVER_RESPONSE', 0x8020001b],
    ['ESOMETHINGELSE', 'BG_E_UNKNOWN_ERROR', 0x8020003d],
  ])('a request failing with %s is %s', (code, name, hresult) => {
    expect(networkError(failure(code), place)).toMatchObject({ hresult, code: name, context: 'general-transport' });
  });

  test.each([
    // System Error Codes: ERROR_PATH_NOT_FOUND 3, ERROR_ACCESS_DENIED 5 (E_ACCESSDENIED), ERROR_SHARING_VIOLATION 32,
    // ERROR_DISK_FULL 112, ERROR_INVALID_NAME 123, ERROR_FILENAME_EXCED_RANGE 206; COM's E_FAIL 0x80004005 for the rest
    ['ENOENT', 'ERROR_PATH_NOT_FOUND', 0x80070003],
    ['EACCES', 'E_ACCESSDENIED', 0x80070005],
    ['EBUSY', 'ERROR_SHARING_VIOLATION', 0x80070020],
    ['ENOSPC', 'ERROR_DISK_FULL', 0x80070070],
    ['EINVAL', 'ERROR_INVALID_NAME', 0x8007007b],
    ['ENAMETOOLONG', 'ERROR_FILENAME_EXCED_RANGE', 0x800700ce],
    ['EMFILE', 'E_FAIL', 0x80004005],
  ])('a local file failing with %s is %s', (code, name, hresult) => {
    expect(localFileError(failure(code), place)).toMatchObject({ hresult, code: name, context: 'local-file' });
  });

  test('an HTTP status is 0x80190000 + status, named BG_E_HTTP_ERROR_xxx also where bitsmsg.h lists none', () => {
    // BITS Return Values: BG_E_HTTP_ERROR_404 (0x80190194); 429 follows the same rule
    expect(httpStatusError(404, place)).toMatchObject({ hresult: 0x80190194, code: 'BG_E_HTTP_ERROR_404', protocol: 'https' });
    expect(httpStatusError(429, place)).toMatchObject({ hresult: 0x801901ad, code: 'BG_E_HTTP_ERROR_429' });
  });

  test('a name the table lacks is refused, so a misspelt code cannot pass unnoticed', () => {
    expect(hresultOf('BG_E_NOT_FOUND')).toBe(0x80200001);
    expect(() => hresultOf('BG_E_CONECT_FAILURE')).toThrow('no HRESULT named BG_E_CONECT_FAILURE');
  });
});
