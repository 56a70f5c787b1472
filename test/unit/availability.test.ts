// bitsAvailability()'s verdict from the addon's readings, every branch, on the
// host; and the reasoned BitsError of a refusal. The rules are Microsoft's:
// "Users and Network Connections" (BITS) and "Service Accounts and BITS".
import { describe, expect, test } from 'vitest';

import type { NativeAvailability } from '../../binding.js';
import { diagnose, logonTypeName, logonTypeOf } from '../../lib/availability.js';
import { BitsError, UnsupportedPlatformError, bitsAvailability } from '../../lib/index.js';

/** Readings of a console session on a machine where nothing stops BITS. */
function readings(over: Partial<NativeAvailability> = {}): NativeAvailability {
  return {
    logonType: 2,
    logonTypeError: 0,
    groups: 1,
    systemAccount: 0,
    userSession: null,
    serviceStartType: 3,
    serviceState: 1,
    serviceError: 0,
    containerType: null,
    containerService: false,
    policyZero: 0,
    managerVersions: null,
    ...over,
  };
}

describe('diagnose', () => {
  test('console, Remote Desktop, unlock and cached logons are interactive: ok', () => {
    // "For BITS to detect that a user is logged on, the user must use one of the following interactive logon options".
    for (const logonType of [2, 7, 10, 11, 12, 13]) {
      const v = diagnose(readings({ logonType }));
      expect(v).toMatchObject({ available: true, reason: 'ok', remedy: '' });
      expect(v.detail).toContain(`(${logonType})`);
    }
  });

  test('network (SSH, WinRM), batch (scheduled task) and a user account service logon: not-logged-on, with the remedy', () => {
    for (const [logonType, name] of [
      [3, 'Network'],
      [4, 'Batch'],
      [5, 'Service'],
      [8, 'NetworkCleartext'],
    ] as const) {
      const v = diagnose(readings({ logonType }));
      expect(v.available).toBe(false);
      expect(v.reason).toBe('not-logged-on');
      expect(v.detail).toContain(`${name} (${logonType})`);
      expect(v.remedy).toMatch(/interactive session/);
      expect(v.remedy).toMatch(/LocalSystem, LocalService or NetworkService/);
      expect(v.remedy).toContain("fallback: 'when-unavailable'");
    }
  });

  test('the system accounts are always logged on, whatever the logon type', () => {
    // "The LocalSystem, LocalService, and NetworkService system accounts are always logged on".
    for (const [systemAccount, name] of [
      [1, 'LocalSystem'],
      [2, 'LocalService'],
      [3, 'NetworkService'],
    ] as const) {
      const v = diagnose(readings({ logonType: 5, systemAccount, userSession: false }));
      expect(v).toMatchObject({ available: true, reason: 'ok' });
      expect(v.detail).toContain(name);
    }
  });

  test("the user's interactive session decides over the process's own logon: RunAs is not-logged-on, SSH beside a console session is ok", () => {
    // "Running an application as another user (by using the RunAs command) is not an interactive logon".
    expect(diagnose(readings({ logonType: 2, userSession: false })).reason).toBe('not-logged-on');
    expect(diagnose(readings({ logonType: 3, userSession: true })).reason).toBe('ok');
  });

  test('without LSA the token groups give the logon type; with neither, nothing stops BITS', () => {
    expect(logonTypeOf(readings({ logonType: null, groups: 4 }))).toBe(4);
    expect(diagnose(readings({ logonType: null, logonTypeError: 0x80070005, groups: 8 })).reason).toBe('not-logged-on');
    expect(diagnose(readings({ logonType: 0, groups: 1 })).reason).toBe('ok');
    expect(logonTypeOf(readings({ logonType: 0, groups: 2 }))).toBe(5);
    const unknown = diagnose(readings({ logonType: null, logonTypeError: 0x80070005, groups: null }));
    expect(unknown.reason).toBe('ok');
    expect(unknown.detail).toContain('E_ACCESSDENIED');
    expect(logonTypeName(null)).toBe('unknown');
  });

  test('a disabled or missing service comes first', () => {
    const disabled = diagnose(readings({ serviceStartType: 4, systemAccount: 1 }));
    expect(disabled).toMatchObject({ available: false, reason: 'service-disabled' });
    expect(disabled.remedy).toContain('sc config BITS start= demand');
    const missing = diagnose(readings({ serviceStartType: null, serviceState: null, serviceError: 0x80070424 }));
    expect(missing.reason).toBe('service-disabled');
    expect(missing.detail).toContain('not installed');
  });

  test('a BITS policy limit of 0 is policy; MaxJobsPerUser does not bind a system account', () => {
    // CreateJob: BG_E_TOO_MANY_JOBS_PER_MACHINE / _PER_USER; AddFile: BG_E_TOO_MANY_FILES_IN_JOB.
    expect(diagnose(readings({ policyZero: 1 }))).toMatchObject({ reason: 'policy', available: false });
    expect(diagnose(readings({ policyZero: 4 })).detail).toContain('MaxFilesPerJob');
    expect(diagnose(readings({ policyZero: 2 })).detail).toContain('MaxJobsPerUser');
    // "These limits do not apply to administrators or services" (Creating a Job).
    expect(diagnose(readings({ policyZero: 2, systemAccount: 3 })).reason).toBe('ok');
  });

  test('a Windows container under a user account is container; under a system account ok', () => {
    expect(diagnose(readings({ containerType: 2 }))).toMatchObject({ reason: 'container', available: false });
    expect(diagnose(readings({ containerService: true })).detail).toContain('CExecSvc');
    expect(diagnose(readings({ containerType: 2, systemAccount: 1 })).reason).toBe('ok');
  });
});

describe('the reasoned BitsError', () => {
  test.each([
    // winerror.h: ERROR_NOT_LOGGED_ON 1245, ERROR_NO_SUCH_LOGON_SESSION 1312, ERROR_SERVICE_DISABLED 1058.
    [0x800704dd, 'not-logged-on', 'ERROR_NOT_LOGGED_ON'],
    [0x80070520, 'not-logged-on', 'HRESULT_FROM_WIN32(1312)'],
    [0x80070422, 'service-disabled', 'ERROR_SERVICE_DISABLED'],
  ] as const)('%i carries reason %s and names the remedy', (hresult, reason, code) => {
    const e = new BitsError({ hresult, method: 'IBackgroundCopyManager::CreateJob', description: 'The operation being requested was not performed' });
    expect(e.reason).toBe(reason);
    expect(e.code).toBe(code);
    expect(e.message).toContain("fallback: 'when-unavailable'");
    expect(e.message).toContain(reason === 'not-logged-on' ? 'interactive session' : 'start type');
  });

  test('other failures carry no reason', () => {
    expect(new BitsError({ hresult: 0x80190194, method: 'IBackgroundCopyJob::GetError' }).reason).toBeUndefined();
    expect(new BitsError({ hresult: 0x80070005, method: 'IBackgroundCopyManager::CreateJob' }).message).not.toContain('fallback');
  });
});

describe('off Windows', () => {
  test.skipIf(process.platform === 'win32')('bitsAvailability() says not-windows without loading the addon', async () => {
    const v = await bitsAvailability();
    expect(v).toMatchObject({ available: false, reason: 'not-windows' });
    expect(v.detail).toContain(process.platform);
    expect(new UnsupportedPlatformError(process.platform).reason).toBe('not-windows');
  });
});
