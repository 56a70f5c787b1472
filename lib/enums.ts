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

/** Every value of the union, in BITS's numeric order. */
export const JOB_TYPES: readonly JobType[] = ['download', 'upload', 'upload-reply'];
/** Every value of the union, in BITS's numeric order. */
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
/** Every value of the union, in BITS's numeric order. */
export const JOB_PRIORITIES: readonly JobPriority[] = ['foreground', 'high', 'normal', 'low'];
/** Every value of the union, in BITS's numeric order. */
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

/** BG_JOB_PROXY_USAGE. */
export type ProxyUsage = 'preconfig' | 'no-proxy' | 'override' | 'autodetect';
/** Every value of the union, in BITS's numeric order. */
export const PROXY_USAGES: readonly ProxyUsage[] = ['preconfig', 'no-proxy', 'override', 'autodetect'];

/** BG_AUTH_TARGET (1-based in BITS). */
export type AuthTarget = 'server' | 'proxy';
/** Every value of the union, in BITS's numeric order. */
export const AUTH_TARGETS: readonly AuthTarget[] = ['server', 'proxy'];
/** BG_AUTH_SCHEME (1-based in BITS). */
export type AuthScheme = 'basic' | 'digest' | 'ntlm' | 'negotiate' | 'passport';
/** Every value of the union, in BITS's numeric order. */
export const AUTH_SCHEMES: readonly AuthScheme[] = ['basic', 'digest', 'ntlm', 'negotiate', 'passport'];

/** BG_CERT_STORE_LOCATION. */
export type CertStoreLocation =
  | 'current-user'
  | 'local-machine'
  | 'current-service'
  | 'services'
  | 'users'
  | 'current-user-group-policy'
  | 'local-machine-group-policy'
  | 'local-machine-enterprise';
/** Every value of the union, in BITS's numeric order. */
export const CERT_STORE_LOCATIONS: readonly CertStoreLocation[] = [
  'current-user',
  'local-machine',
  'current-service',
  'services',
  'users',
  'current-user-group-policy',
  'local-machine-group-policy',
  'local-machine-enterprise',
];

/** BG_NOTIFY_* flags for getNotifyFlags/setNotifyFlags. */
export const BG_NOTIFY = {
  /** Call back when all files are transferred. */
  JOB_TRANSFERRED: 0x1,
  /** Call back on an error. */
  JOB_ERROR: 0x2,
  /** No notifications. */
  DISABLE: 0x4,
  /** Call back on any change (progress, state). */
  JOB_MODIFICATION: 0x8,
  /** Call back as each file finishes (BITS 3.0). */
  FILE_TRANSFERRED: 0x10,
  /** Call back as requested ranges arrive (BITS 10.1). */
  FILE_RANGES_TRANSFERRED: 0x20,
} as const;

/** IBackgroundCopyJobHttpOptions security flags. */
export const BG_SSL = {
  /** Check certificate revocation. */
  ENABLE_CRL_CHECK: 0x1,
  /** Accept a certificate for another host name. */
  IGNORE_CERT_CN_INVALID: 0x2,
  /** Accept an expired certificate. */
  IGNORE_CERT_DATE_INVALID: 0x4,
  /** Accept an unknown certificate authority. */
  IGNORE_UNKNOWN_CA: 0x8,
  /** Accept a certificate made for another use. */
  IGNORE_CERT_WRONG_USAGE: 0x10,
  /** Follow redirects (default). */
  REDIRECT_POLICY_ALLOW_SILENT: 0x0,
  /** Follow redirects and report the final URL. */
  REDIRECT_POLICY_ALLOW_REPORT: 0x100,
  /** Refuse redirects. */
  REDIRECT_POLICY_DISALLOW: 0x200,
  /** The bits of the redirect policy. */
  REDIRECT_POLICY_MASK: 0x700,
  /** Allow a redirect from https to http. */
  REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP: 0x800,
} as const;

/** BITS_JOB_PROPERTY_ID values of IBackgroundCopyJob5. */
export const BITS_JOB_PROPERTY = {
  /** Which network costs the job accepts. */
  COST_FLAGS: 1,
  /** A COM class BITS activates to notify. */
  NOTIFICATION_CLSID: 2,
  /** Download without size or range support. */
  DYNAMIC_CONTENT: 3,
  /** Use more bandwidth when free. */
  HIGH_PERFORMANCE: 4,
  /** Fail downloads larger than this. */
  MAX_DOWNLOAD_SIZE: 5,
  /** Use Windows' stored credentials. */
  USE_STORED_CREDENTIALS: 7,
  /** Space notifications at least this far apart. */
  MINIMUM_NOTIFICATION_INTERVAL_MS: 9,
  /** Download ranges as they are requested. */
  ON_DEMAND_MODE: 10,
} as const;
