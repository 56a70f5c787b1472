// BITS enumerations as string unions, with the numbers the COM API uses. Names
// follow BG_JOB_TYPE, BG_JOB_STATE, BG_JOB_PRIORITY and BG_ERROR_CONTEXT.

/** BG_JOB_TYPE. */
export type JobType = 'download' | 'upload' | 'upload-reply';
/** BG_JOB_STATE. */
export type JobState =
  | 'queued'
  | 'connecting'
  | 'transferring'
  | 'suspended'
  | 'error'
  | 'transient-error'
  | 'transferred'
  | 'acknowledged'
  | 'cancelled';
/** BG_JOB_PRIORITY. */
export type JobPriority = 'foreground' | 'high' | 'normal' | 'low';
/** BG_ERROR_CONTEXT. */
export type ErrorContext =
  | 'none'
  | 'unknown'
  | 'general-queue-manager'
  | 'queue-manager-notification'
  | 'local-file'
  | 'remote-file'
  | 'general-transport'
  | 'remote-application'
  | 'server-certificate-callback';

export const JOB_TYPES: readonly JobType[] = ['download', 'upload', 'upload-reply'];
export const JOB_STATES: readonly JobState[] = [
  'queued',
  'connecting',
  'transferring',
  'suspended',
  'error',
  'transient-error',
  'transferred',
  'acknowledged',
  'cancelled',
];
export const JOB_PRIORITIES: readonly JobPriority[] = ['foreground', 'high', 'normal', 'low'];
export const ERROR_CONTEXTS: readonly ErrorContext[] = [
  'none',
  'unknown',
  'general-queue-manager',
  'queue-manager-notification',
  'local-file',
  'remote-file',
  'general-transport',
  'remote-application',
  'server-certificate-callback',
];

/** The states a job does not leave by itself. */
export const FINAL_STATES: ReadonlySet<JobState> = new Set(['transferred', 'error', 'acknowledged', 'cancelled']);

/** Maps a number from BITS to its name, keeping unknown future values visible. */
export function enumName<T extends string>(names: readonly T[], value: number, what: string): T {
  const name = names[value];
  if (name === undefined) throw new RangeError(`BITS returned an unknown ${what} ${value}`);
  return name;
}

/** BG_SIZE_UNKNOWN: BITS does not know the size yet. */
export const BG_SIZE_UNKNOWN = 0xffffffffffffffffn;

/** BG_JOB_ENUM_ALL_USERS for EnumJobs. */
export const BG_JOB_ENUM_ALL_USERS = 0x0001;
