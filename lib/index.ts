// The package's public API, and nothing else: what the README and TypeDoc document.
export { BackgroundCopyManager } from './manager.js';
export type { ListJobsOptions } from './manager.js';
export { BackgroundCopyJob, BackgroundCopyJob4 } from './job/job.js';
export type { BackgroundCopyJob4Methods } from './job/job4.js';
export type { BackgroundCopyJob2, BackgroundCopyJob3 } from './job/job2-3.js';
export type { BackgroundCopyJob5, StoredCredentialsTarget } from './job/job5.js';
export type { BackgroundCopyJobHttpOptions, ServerCertificateValidator } from './job/http-options.js';
export type {
  ClientCertificate,
  CompleteResult,
  Credentials,
  FileSpec,
  JobEventMap,
  JobSnapshot,
  NotifyCmdLine,
  ReplyProgress,
  TransferredFile,
  TransferredRanges,
  JobProgress,
  JobTimes,
  ProxySettings,
  WaitOptions,
} from './job/types.js';
export { BackgroundCopyFile } from './file.js';
export type { FileProgress, FileRange, PeerDownloadStats } from './file.js';
export { HttpTransfer, download, startDownload, startUpload, upload } from './transfer.js';
export type { BitsTransferResult, HttpTransferResult, TransferOptions, TransferResult } from './transfer.js';
export { bitsAvailability } from './availability.js';
export type { AvailabilityReason, BitsAvailability } from './availability.js';
export { AbortError, BitsError, ObjectClosedError, TimeoutError, UnsupportedPlatformError, hresultName } from './errors.js';
export type { BitsErrorFile, BitsErrorOptions, JobError } from './errors.js';
export {
  AUTH_SCHEMES,
  AUTH_TARGETS,
  BG_JOB_ENUM_ALL_USERS,
  BG_NOTIFY,
  BG_SIZE_UNKNOWN,
  BG_SSL,
  BITS_JOB_PROPERTY,
  CERT_STORE_LOCATIONS,
  ERROR_CONTEXTS,
  FINAL_STATES,
  JOB_PRIORITIES,
  JOB_STATES,
  JOB_TYPES,
  PROXY_USAGES,
} from './enums.js';
export type { AuthScheme, AuthTarget, CertStoreLocation, ErrorContext, JobPriority, JobState, JobType, ProxyUsage } from './enums.js';
export { normalizeGuid } from './guid.js';
