// Every error the package raises, and the two places a BitsError is built: the
// addon, handed BitsError and ObjectClosedError once (lib/binding.ts), builds
// them itself where a call settles; what BITS reports as a job's state rather
// than as a failed call (an error state, a cancellation, no progress) becomes a
// BitsError in the named factories at the end of this file, and nowhere else.
import type { NativeJobError } from '../binding.js';
import { REFUSAL_REASONS, REMEDIES } from './availability-reasons.js';
import type { AvailabilityReason } from './availability-reasons.js';
import { ERROR_CONTEXTS, enumName } from './enums.js';
import type { ErrorContext } from './enums.js';
import { HRESULT_MESSAGES, describeName } from './hresult-messages.js';
import { HRESULT_NAMES } from './hresult-names.js';

/** The symbolic name of an HRESULT: `0x80200001` -> `'BG_E_NOT_FOUND'`. */
export function hresultName(hresult: number): string {
  const hr = hresult >>> 0;
  const known = HRESULT_NAMES.get(hr);
  if (known) return known;
  // BITS reports every HTTP status as 0x80190000 + status.
  if (hr >>> 16 === 0x8019 && (hr & 0xffff) >= 100 && (hr & 0xffff) <= 599) return `BG_E_HTTP_ERROR_${hr & 0xffff}`;
  if (hr >>> 16 === 0x8007) return `HRESULT_FROM_WIN32(${hr & 0xffff})`;
  return `HRESULT_0x${hex(hr)}`;
}

/** A built-in description for codes that neither BITS nor the system describes. */
export function builtInDescription(hresult: number): string {
  const name = hresultName(hresult);
  return HRESULT_MESSAGES[name] ?? describeName(name);
}

function hex(n: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/**
 * What COM, RPC and the service control manager answer once the service process
 * is gone or going: a stopping service may answer with any of these before it
 * stops answering at all. Collected from the COM and RPC error pages (the RPC_S_
 * and RPC_E_ codes, CO_E_OBJNOTCONNECTED, CO_E_SERVER_STOPPING) and from Wine's
 * rpcrt4 and ole32, which give RPC_S_SERVER_UNAVAILABLE and RPC_S_CALL_FAILED for
 * a stopped qmgr, and RPC_S_UNKNOWN_IF ("The interface is unknown") for a call
 * that reaches a stopping qmgr after it unregistered its interfaces (the first
 * failure in 1 of 150 `net stop bits` in a loop); ERROR_SERVICE_NOT_ACTIVE is
 * what a stopped service answers a caller that reached it through the service
 * control manager. The one list: the
 * addon is handed it with the error classes, and skips asking a dead service to
 * describe these (it would only fail again, slowly).
 * @internal
 */
export const DISCONNECTION_HRESULTS: readonly number[] = [
  0x800706ba, // RPC_S_SERVER_UNAVAILABLE
  0x800706be, // RPC_S_CALL_FAILED
  0x800706bf, // RPC_S_CALL_FAILED_DNE
  0x800706b5, // RPC_S_UNKNOWN_IF
  0x80010108, // RPC_E_DISCONNECTED
  0x80010007, // RPC_E_SERVER_DIED
  0x80010012, // RPC_E_SERVER_DIED_DNE
  0x800401fd, // CO_E_OBJNOTCONNECTED
  0x80080008, // CO_E_SERVER_STOPPING
  0x80070426, // ERROR_SERVICE_NOT_ACTIVE
];
const DISCONNECTED = new Set(DISCONNECTION_HRESULTS);

/** BG_E_ERROR_INFORMATION_UNAVAILABLE: a job in error that cannot say why. */
const BG_E_ERROR_INFORMATION_UNAVAILABLE = 0x8020000f;
/** BITS_MC_JOB_CANCELLED: BITS's own code for a job cancelled by its owner or an administrator. */
const BITS_MC_JOB_CANCELLED = 0x80194000;
/** BG_E_NO_PROGRESS: a job that made no progress within its no-progress timeout. */
const BG_E_NO_PROGRESS = 0x80200024;

/** The file a job error concerns. */
export interface BitsErrorFile {
  /** The URL, or null where BITS did not say. */
  remoteName: string | null;
  /** The local path, or null where BITS did not say. */
  localName: string | null;
}

/** What a BitsError is made from. */
export interface BitsErrorOptions {
  /** The HRESULT, signed or unsigned. */
  hresult: number;
  /** The COM method that failed, e.g. 'IBackgroundCopyJob::Resume'. */
  method: string;
  /** BITS's or the system's description; a built-in one is used when empty. */
  description?: string | null;
  /** For a job error: where it happened. */
  context?: ErrorContext;
  /** BITS's description of the context. */
  contextDescription?: string | null;
  /** The protocol of the transfer. */
  protocol?: string | null;
  /** The file involved. */
  file?: BitsErrorFile | null;
  /** The job concerned. */
  jobId?: string;
}

/**
 * A failed BITS or COM call, or a job that ended in error. `code` is the symbolic
 * name of `hresult` (`'BG_E_NOT_FOUND'`, `'E_NOTIMPL'`, `'BG_E_HTTP_ERROR_404'`, ...),
 * `method` the COM method that failed (`'IBackgroundCopyManager::CreateJob'`).
 */
export class BitsError extends Error {
  /** Always 'BitsError'. */
  override readonly name = 'BitsError';
  /** The HRESULT as an unsigned 32-bit number. */
  readonly hresult: number;
  /** The symbolic name of the HRESULT. */
  readonly code: string;
  /** The COM method that failed. */
  readonly method: string;
  /** The description alone, without code and method. */
  readonly description: string;
  /** For a job error: where the error happened. */
  readonly context?: ErrorContext;
  /** For a job error: BITS's description of the context, where it gives one. */
  readonly contextDescription?: string;
  /** For a job error: the protocol of the transfer (e.g. `'http'`) when BITS names one. */
  readonly protocol?: string;
  /** For a job error: the file involved. */
  readonly file?: BitsErrorFile;
  /** For a job error: the job's id, to reattach with `manager.getJob()`. */
  readonly jobId?: string;
  /**
   * Set when BITS refused for a reason `bitsAvailability()` names: 'not-logged-on'
   * (ERROR_NOT_LOGGED_ON 0x800704DD, ERROR_NO_SUCH_LOGON_SESSION 0x80070520) or
   * 'service-disabled' (ERROR_SERVICE_DISABLED 0x80070422). The message then names the remedy.
   */
  readonly reason?: AvailabilityReason;

  /** True when the BITS service went away (stopped, crashed): connect again; the jobs themselves persist in BITS. */
  get disconnected(): boolean {
    return DISCONNECTED.has(this.hresult);
  }

  constructor(options: BitsErrorOptions) {
    const hresult = options.hresult >>> 0;
    const code = hresultName(hresult);
    const description = options.description?.trim() || builtInDescription(hresult);
    const reason = REFUSAL_REASONS.get(hresult);
    const advice = DISCONNECTED.has(hresult)
      ? ' The connection to the BITS service is lost: call BackgroundCopyManager.connect() again.'
      : reason
        ? ` ${REMEDIES[reason]}`
        : '';
    super(`${description} (${code}, 0x${hex(hresult)}, in ${options.method}).${advice}`);
    this.hresult = hresult;
    this.code = code;
    this.method = options.method;
    this.description = description;
    if (options.context !== undefined) this.context = options.context;
    if (options.contextDescription) this.contextDescription = options.contextDescription;
    if (options.protocol) this.protocol = options.protocol;
    if (options.file) this.file = options.file;
    if (options.jobId !== undefined) this.jobId = options.jobId;
    if (reason) this.reason = reason;
  }
}

/** Thrown by every BITS call on a platform other than Windows. */
export class UnsupportedPlatformError extends Error {
  /** Always 'UnsupportedPlatformError'. */
  override readonly name = 'UnsupportedPlatformError';
  /** Always 'ERR_BITS_UNSUPPORTED_PLATFORM'. */
  readonly code = 'ERR_BITS_UNSUPPORTED_PLATFORM';
  /** The platform that has no BITS (`process.platform`). */
  readonly platform: string;
  /** Always 'not-windows', the reason `bitsAvailability()` gives here. */
  readonly reason = 'not-windows' as const;
  constructor(platform: string, cause?: unknown) {
    super(
      `windows-bits drives the Windows BITS service and cannot run on ${platform}: ` +
        'BITS exists only on Windows (or under Wine). Types, constants and errors still import here. ' +
        "The one-call transfers run over plain HTTP here with fallback: 'when-unavailable'.",
      cause === undefined ? undefined : { cause },
    );
    this.platform = platform;
  }
}

/** A call on a manager, job or file after its `close()`. */
export class ObjectClosedError extends Error {
  /** Always 'ObjectClosedError'. */
  override readonly name = 'ObjectClosedError';
  /** Always 'ERR_BITS_CLOSED'. */
  readonly code = 'ERR_BITS_CLOSED';
  /** The object that was closed, e.g. `'Job {6BA7B810-…}'`. */
  readonly object: string;
  constructor(object: string) {
    super(`${object} is closed; get a new one (manager.getJob(id) reattaches to a job)`);
    this.object = object;
  }
}

/** The wait or transfer was aborted through its AbortSignal. The BITS job itself is left as it was unless the caller cancels it. */
export class AbortError extends Error {
  /** Always 'AbortError'. */
  override readonly name = 'AbortError';
  /** Always 'ABORT_ERR', as Node's own AbortError. */
  readonly code = 'ABORT_ERR';
  /** The job concerned, to reattach with `manager.getJob()`. */
  jobId?: string;
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A wait gave up after its `timeoutMs`; the job carries on. */
export class TimeoutError extends Error {
  /** Always 'TimeoutError'. */
  override readonly name = 'TimeoutError';
  /** Always 'ETIMEDOUT'. */
  readonly code = 'ETIMEDOUT';
  /** The job concerned. */
  jobId?: string;
}

/** IBackgroundCopyError: why a job is in the error or transient-error state. */
export interface JobError {
  /** Where the error happened. */
  context: ErrorContext;
  /** The HRESULT, unsigned. */
  hresult: number;
  /** Symbolic name of `hresult`, e.g. `'BG_E_HTTP_ERROR_404'`. */
  code: string;
  /** BITS's description, else the system's, else a built-in one. */
  message: string;
  /** BITS's description of the context (null on Wine). */
  contextDescription: string | null;
  /** The transfer's protocol, e.g. 'http'. */
  protocol: string | null;
  /** The file involved, where BITS names one. */
  file?: BitsErrorFile;
}

/** The addon's reading of an IBackgroundCopyError as a JobError. @internal */
export function toJobError(e: NativeJobError): JobError {
  const out: JobError = {
    context: enumName(ERROR_CONTEXTS, e.context, 'error context'),
    hresult: e.hresult >>> 0,
    code: hresultName(e.hresult),
    message: e.description?.trim() || e.systemDescription.trim() || builtInDescription(e.hresult),
    contextDescription: e.contextDescription?.trim() || null,
    protocol: e.protocol,
  };
  if (e.file) out.file = e.file;
  return out;
}

/**
 * The BitsError that stands for a job's error state. `error` null: BITS could
 * not say why (BG_E_ERROR_INFORMATION_UNAVAILABLE), which is reported as such.
 * @internal
 */
export function jobFailure(jobId: string, error: NativeJobError | null): BitsError {
  if (!error) return jobErrorUnavailable(jobId);
  const e = toJobError(error);
  return new BitsError({
    hresult: e.hresult,
    method: 'IBackgroundCopyJob::GetError',
    description: e.message,
    context: e.context,
    contextDescription: e.contextDescription,
    protocol: e.protocol,
    file: e.file ?? null,
    jobId,
  });
}

/**
 * A job in the error state whose GetError could not say why: BITS's own
 * BG_E_ERROR_INFORMATION_UNAVAILABLE.
 * @internal
 */
export function jobErrorUnavailable(jobId: string): BitsError {
  return new BitsError({ hresult: BG_E_ERROR_INFORMATION_UNAVAILABLE, method: 'IBackgroundCopyJob::GetError', jobId });
}

/** A waited-on job found cancelled: BITS reports a state, named here with BITS's BITS_MC_JOB_CANCELLED. @internal */
export function jobCancelled(jobId: string): BitsError {
  return new BitsError({ hresult: BITS_MC_JOB_CANCELLED, method: 'IBackgroundCopyJob::GetState', description: 'The job was cancelled', jobId });
}

/**
 * A job in the transient-error state past its no-progress timeout, without an
 * error BITS could describe: BG_E_NO_PROGRESS, as BITS names that outcome.
 * @internal
 */
export function jobMadeNoProgress(jobId: string): BitsError {
  return new BitsError({ hresult: BG_E_NO_PROGRESS, method: 'IBackgroundCopyJob::GetState', jobId });
}
