// Why BITS cannot run here, and what to do about it: the words shared by
// bitsAvailability(), the BitsError of a refusal and `bits doctor`. The rules
// come from Microsoft's pages:
// - "Users and Network Connections" (BITS): transfers run only while the job
//   owner is logged on interactively; RunAs is no interactive logon; the
//   LocalSystem, LocalService and NetworkService accounts are always logged on.
//   https://learn.microsoft.com/windows/win32/bits/users-and-network-connections
// - "Using Windows PowerShell to Create BITS Transfer Jobs", its note: a job
//   created from a non-interactive context (a service, a scheduled task that runs
//   whether the user is logged on or not) does not proceed until its owner logs on.
//   https://learn.microsoft.com/windows/win32/bits/using-windows-powershell-to-create-bits-transfer-jobs

/** Why BITS can or cannot transfer for this process. */
export type AvailabilityReason = 'ok' | 'not-windows' | 'service-disabled' | 'not-logged-on' | 'container' | 'policy';

/** What `bitsAvailability()` reports. */
export interface BitsAvailability {
  /** True when BITS can transfer for this process now (reason 'ok'). */
  available: boolean;
  /** Why. */
  reason: AvailabilityReason;
  /** What was read, in a sentence: the logon type, the service's start type, the policy value. */
  detail: string;
  /** What to do, in a sentence; empty when available. */
  remedy: string;
}

const FALLBACK = "or pass fallback: 'when-unavailable' to transfer over plain HTTP instead";

/** The remedy for each reason. */
export const REMEDIES: Readonly<Record<AvailabilityReason, string>> = {
  ok: '',
  'not-windows': "BITS exists only on Windows: pass fallback: 'when-unavailable' to transfer over plain HTTP instead.",
  'service-disabled': `An administrator can set the BITS service's start type back to Manual (sc config BITS start= demand), ${FALLBACK}.`,
  'not-logged-on':
    'Run in an interactive session (the console or Remote Desktop), or as a service under LocalSystem, LocalService or NetworkService; ' +
    `a scheduled task must run only when the user is logged on; ${FALLBACK}.`,
  container: `Run as a service account (LocalSystem, LocalService or NetworkService) inside the container, ${FALLBACK}.`,
  policy: `Ask the administrator to raise the BITS Group Policy limit set to 0, ${FALLBACK}.`,
};

/**
 * The HRESULTs with which BITS refuses for one of these reasons:
 * ERROR_NOT_LOGGED_ON, ERROR_NO_SUCH_LOGON_SESSION and ERROR_SERVICE_DISABLED.
 */
export const REFUSAL_REASONS: ReadonlyMap<number, AvailabilityReason> = new Map<number, AvailabilityReason>([
  [0x800704dd, 'not-logged-on'],
  [0x80070520, 'not-logged-on'],
  [0x80070422, 'service-disabled'],
]);
