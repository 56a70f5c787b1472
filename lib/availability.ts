// bitsAvailability(): whether BITS can transfer for this process, and why not,
// before a job exists. The addon reads Windows (native/bits/availability.cc); the
// verdict is made here from its readings, in the order in which each obstacle
// stops BITS: no Windows, no service, a policy forbidding jobs, then the owner's
// logon (availability-reasons.ts cites Microsoft's rule).
import type { NativeAvailability } from '../binding.js';
import { REMEDIES } from './availability-reasons.js';
import type { AvailabilityReason, BitsAvailability } from './availability-reasons.js';
import { binding } from './binding.js';
import { hresultName } from './errors.js';

export type { AvailabilityReason, BitsAvailability } from './availability-reasons.js';

/** SECURITY_LOGON_TYPE's names (ntsecapi.h). */
export const LOGON_TYPES: Readonly<Record<number, string>> = {
  2: 'Interactive',
  3: 'Network',
  4: 'Batch',
  5: 'Service',
  6: 'Proxy',
  7: 'Unlock',
  8: 'NetworkCleartext',
  9: 'NewCredentials',
  10: 'RemoteInteractive',
  11: 'CachedInteractive',
  12: 'CachedRemoteInteractive',
  13: 'CachedUnlock',
};
/** The logons "Users and Network Connections" counts as interactive: the console, Remote Desktop, fast user switching (and their cached and unlock forms). */
const INTERACTIVE_LOGONS = new Set([2, 7, 10, 11, 12, 13]);
/** Network, batch (scheduled tasks), service: BITS does not see their owner as logged on. */
const NON_INTERACTIVE_LOGONS = new Set([3, 4, 5, 8]);
const GROUP_LOGONS: ReadonlyArray<[number, number]> = [
  [1, 2], // INTERACTIVE
  [2, 5], // SERVICE
  [4, 4], // BATCH
  [8, 3], // NETWORK
];
const SYSTEM_ACCOUNTS = ['', 'LocalSystem', 'LocalService', 'NetworkService'];
/** SERVICE_DISABLED (winsvc.h). */
const SERVICE_DISABLED = 4;
/** ERROR_SERVICE_DOES_NOT_EXIST as an HRESULT. */
const NO_SUCH_SERVICE = 0x80070424;
const POLICY_NAMES: ReadonlyArray<[number, string]> = [
  [1, 'MaxJobsPerMachine'],
  [2, 'MaxJobsPerUser'],
  [4, 'MaxFilesPerJob'],
];

/** The logon type the readings show: LSA's, else the token's groups', else null. @internal */
export function logonTypeOf(r: NativeAvailability): number | null {
  // 0 is UndefinedLogonType (Wine answers it): no reading, so the groups decide.
  if (r.logonType !== null && r.logonType !== 0) return r.logonType;
  if (r.groups === null) return null;
  for (const [bit, type] of GROUP_LOGONS) if (r.groups & bit) return type;
  return null;
}

/** 'Batch (4)', or 'unknown' where neither LSA nor the groups said. @internal */
export function logonTypeName(type: number | null): string {
  return type === null ? 'unknown' : `${LOGON_TYPES[type] ?? 'type'} (${type})`;
}

function verdict(reason: AvailabilityReason, detail: string): BitsAvailability {
  return { available: reason === 'ok', reason, detail, remedy: REMEDIES[reason] };
}

/** The verdict from the addon's readings; pure, so every branch is tested on the host. @internal */
export function diagnose(r: NativeAvailability): BitsAvailability {
  if (r.serviceError === NO_SUCH_SERVICE) return verdict('service-disabled', 'The BITS service is not installed on this system.');
  if (r.serviceStartType === SERVICE_DISABLED) return verdict('service-disabled', 'The BITS service is disabled (start type SERVICE_DISABLED).');
  const system = SYSTEM_ACCOUNTS[r.systemAccount] ?? '';
  // MaxJobsPerUser does not bind administrators or services ("Creating a Job"); the others bind everyone.
  const policies = POLICY_NAMES.filter(([bit, name]) => r.policyZero & bit && !(name === 'MaxJobsPerUser' && system)).map(([, name]) => name);
  if (policies.length > 0) {
    return verdict('policy', `The BITS Group Policy ${policies.join(', ')} is 0 (HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\BITS): no job can run.`);
  }
  if (system) return verdict('ok', `The process runs as ${system}, which BITS always counts as logged on.`);
  const type = logonTypeOf(r);
  const logon = `the logon type is ${logonTypeName(type)}`;
  if (r.containerType !== null || r.containerService) {
    const marker = r.containerType !== null ? `ContainerType ${r.containerType}` : 'the CExecSvc service';
    return verdict('container', `This process runs in a Windows container (${marker}) under a user account, and ${logon}.`);
  }
  if (r.userSession === true) return verdict('ok', `The process's user has an interactive session, which BITS waits for; ${logon}.`);
  if (r.userSession === false) {
    return verdict('not-logged-on', `The process's user has no interactive session (console or Remote Desktop), so BITS will not run the user's jobs; ${logon}.`);
  }
  if (type !== null && NON_INTERACTIVE_LOGONS.has(type)) {
    return verdict('not-logged-on', `The process's logon is not interactive, so BITS will not run the user's jobs; ${logon}.`);
  }
  if (type !== null && INTERACTIVE_LOGONS.has(type)) return verdict('ok', `The process's logon is interactive; ${logon}.`);
  const why = r.logonTypeError ? ` (LsaGetLogonSessionData: ${hresultName(r.logonTypeError)})` : '';
  return verdict('ok', `Nothing read stops BITS; ${logon}${why}.`);
}

/** The readings, and the verdict from them; `bits doctor` also probes the versions. @internal */
export async function readAvailability(probeVersion: boolean): Promise<{ readings: NativeAvailability | null; verdict: BitsAvailability }> {
  if (process.platform !== 'win32') {
    return { readings: null, verdict: verdict('not-windows', `This is ${process.platform}; BITS is a Windows service.`) };
  }
  const readings = await binding().availability(probeVersion);
  return { readings, verdict: diagnose(readings) };
}

/**
 * Whether BITS can transfer for this process now, and if not why and what to do:
 * `'not-windows'`, `'service-disabled'` (disabled or not installed), `'policy'`
 * (a BITS Group Policy limit of 0), `'container'` (a Windows container, user
 * account), `'not-logged-on'` (network, batch or a user account's service logon,
 * or RunAs: the user has no interactive session), else `'ok'`. Reads the process
 * token, the service manager and the registry; makes no BITS call.
 */
export async function bitsAvailability(): Promise<BitsAvailability> {
  return (await readAvailability(false)).verdict;
}
