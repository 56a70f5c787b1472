// The upload server's options: their public types, their defaults, and their
// validation. Options are checked once, when the handler is made, so that a
// typo (a negative size, a relative hook that is not a function) fails at start
// with a TypeError or RangeError rather than on the first client's upload.
import type { IncomingMessage } from 'node:http';
import path from 'node:path';

import { quotaLimit } from './quota.js';
import type { QuotaLimits, QuotaName } from './quota.js';

/** What {@link UploadServerOptions.onUpload} receives for each finished file. */
export interface FinishedUpload {
  /** The BITS session id, a GUID in braces. */
  sessionId: string;
  /** The finished file's full path inside `directory`. */
  path: string;
  /** Its size in bytes. */
  size: number;
  /** The URL the client uploaded to, as the request gave it. */
  url: string;
  /** Who uploaded it, as {@link UploadServerOptions.authorize} named them ('' by default). */
  principal: string;
}

/** What {@link UploadServerOptions.onUpload} may return: for upload-reply jobs, the reply's bytes. */
export interface UploadResult {
  /** Sent to the client as the job's reply (upload-reply jobs fetch it from BITS-Reply-URL). */
  reply?: Buffer;
}

/** A session began (Create-Session acked). */
export interface SessionCreatedEvent {
  /** Discriminates the union. */
  type: 'session-created';
  /** The session, a GUID in braces. */
  sessionId: string;
  /** Who created it, as `authorize` named them. */
  principal: string;
  /** The file's path below `directory`, segments split by `/`. */
  name: string;
}

/** A fragment's new bytes were acked. */
export interface FragmentEvent {
  /** Discriminates the union. */
  type: 'fragment';
  /** The session, a GUID in braces. */
  sessionId: string;
  /** Bytes acked so far. */
  received: number;
  /** The file's declared size. */
  total: number;
}

/** The file was renamed into place (before onUpload runs). */
export interface UploadFinishedEvent {
  /** Discriminates the union. */
  type: 'upload-finished';
  /** The session, a GUID in braces. */
  sessionId: string;
  /** The finished file's full path. */
  path: string;
  /** Its size in bytes. */
  size: number;
  /** Who uploaded it. */
  principal: string;
}

/** Close-Session ended a session. */
export interface SessionClosedEvent {
  /** Discriminates the union. */
  type: 'session-closed';
  /** The session, a GUID in braces. */
  sessionId: string;
  /** Whether the file had been finished. */
  finished: boolean;
}

/** Cancel-Session ended a session. */
export interface SessionCancelledEvent {
  /** Discriminates the union. */
  type: 'session-cancelled';
  /** The session, a GUID in braces. */
  sessionId: string;
}

/** A packet got an error ack (or, for a stalled fragment, its connection was closed). */
export interface RefusedEvent {
  /** Discriminates the union. */
  type: 'refused';
  /** The session the packet named, if any. */
  sessionId?: string;
  /** The HTTP status of the refusal. */
  status: number;
  /** The BITS-Error-Code sent, such as 0x8020001F. */
  code: string;
  /** Why. */
  message: string;
}

/** onUpload threw. */
export interface CallbackFailedEvent {
  /** Discriminates the union. */
  type: 'callback-failed';
  /** The session, a GUID in braces. */
  sessionId: string;
  /** The HTTP status the client was answered with (4xx final, 5xx transient). */
  status: number;
  /** The error's message. */
  message: string;
}

/**
 * A quota refused a packet: a Create-Session (`sessions-per-principal`) or a session's first
 * Fragment (the byte quotas). A `refused` event for the same packet follows.
 */
export interface QuotaExceededEvent {
  /** Discriminates the union. */
  type: 'quota-exceeded';
  /** Which quota: maxSessionsPerPrincipal, maxBytesPerPrincipal or maxTotalBytes. */
  quota: QuotaName;
  /** Whose packet was refused. */
  principal: string;
  /** The session, for the byte quotas (a Create-Session refused has none yet). */
  sessionId?: string;
  /** The quota's value. */
  limit: number;
  /** For the byte quotas: the total the session declared. */
  requested?: number;
  /** 503 (transient: BITS retries) or 400 (the file alone is larger than the quota: final). */
  status: number;
  /** The BITS-Error-Code sent. */
  code: string;
}

/**
 * One thing the server did, as reported to {@link UploadServerOptions.onEvent}.
 * A union discriminated by `type`: `if (e.type === 'upload-finished')` narrows
 * `e` to that event's fields.
 */
export type UploadEvent = SessionCreatedEvent | FragmentEvent | UploadFinishedEvent | SessionClosedEvent | SessionCancelledEvent | RefusedEvent | CallbackFailedEvent | QuotaExceededEvent;

/** Each event by its `type`. */
export interface UploadEventMap {
  /** Create-Session acked. */
  'session-created': SessionCreatedEvent;
  /** A fragment's new bytes acked. */
  fragment: FragmentEvent;
  /** The file renamed into place. */
  'upload-finished': UploadFinishedEvent;
  /** Close-Session. */
  'session-closed': SessionClosedEvent;
  /** Cancel-Session. */
  'session-cancelled': SessionCancelledEvent;
  /** An error ack, or a stalled fragment's connection closed. */
  refused: RefusedEvent;
  /** onUpload threw. */
  'callback-failed': CallbackFailedEvent;
  /** A quota refused a Create-Session or a first Fragment. */
  'quota-exceeded': QuotaExceededEvent;
}

/** The event of one `type`: `UploadEventOf<'fragment'>`. */
export type UploadEventOf<T extends keyof UploadEventMap> = UploadEventMap[T];

/**
 * What {@link UploadServerOptions.authorize} returns to ask for credentials:
 * the server answers 401 with one `WWW-Authenticate` header per string
 * (`'Basic realm="uploads", charset="UTF-8"'`, `'Negotiate'`), and BITS sends
 * its credentials for a scheme it was offered.
 */
export interface AuthorizeChallenge {
  /** The WWW-Authenticate values, one header each. */
  challenge: string | string[];
}

/** What {@link UploadServerOptions.authorize} may answer: a principal, a refusal (403), or a challenge (401). */
export type AuthorizeResult = string | false | null | undefined | AuthorizeChallenge;

/** Options of {@link createUploadHandler} and {@link createUploadServer}. */
export interface UploadServerOptions {
  /** Where finished files appear. Unfinished sessions live in its hidden `.bits-sessions` folder. Created if missing. */
  directory: string;
  /** The largest file accepted, in bytes (a larger declared total: 413, BG_E_TOO_LARGE). Default 1 GiB. */
  maxFileSize?: number;
  /** The largest fragment accepted, in bytes (larger: 413). Default 16 MiB; Windows sends at most about 13 MB. */
  maxFragmentSize?: number;
  /** Open sessions at most; Create-Session beyond it gets 503. Default 1000. */
  maxSessions?: number;
  /**
   * Open sessions one principal may have; one more Create-Session gets 503 with
   * `Retry-After` and 0x80070718 (ERROR_NOT_ENOUGH_QUOTA), which BITS retries, since the
   * principal's other sessions end. Default: no limit (IIS has none; and without
   * `authorize` every client is the principal '', so a default would be a global limit).
   */
  maxSessionsPerPrincipal?: number;
  /**
   * Bytes one principal's unfinished sessions may reserve together. A session reserves the
   * total its first Fragment declares (the total cannot change later, nor a fragment pass
   * it), and gives it back when it finishes, is closed or cancelled, or expires. Past it:
   * 503 with `Retry-After` and 0x8007050F (ERROR_DISK_QUOTA_EXCEEDED), transient for BITS;
   * a file larger than the quota on its own: 400 BG_E_TOO_LARGE, final. Default: no limit.
   */
  maxBytesPerPrincipal?: number;
  /**
   * Bytes all unfinished sessions in `directory` may reserve together, counted and answered
   * as maxBytesPerPrincipal. Finished files don't count: they are the backend's. Default: no limit.
   */
  maxTotalBytes?: number;
  /**
   * This instance's host name or IP address (optionally `:port`), sent as `BITS-Host-Id` on
   * the Ack for Create-Session, as IIS's BITSHostId: the client sends the session's later
   * packets to it instead of the URL's host, so a fleet without a shared `directory` keeps
   * each session on the instance that holds it. Default: not sent.
   */
  hostId?: string;
  /**
   * Seconds the client keeps trying `hostId` before it goes back to the URL's host, sent as
   * `BITS-Host-Id-Fallback-Timeout` (IIS's BITSHostIdFallbackTimeout); needs `hostId`.
   * 1 to 0xFFFFFFFF. Default: not sent, and the client never falls back ([MC-BUP] 3.1.2.3).
   */
  hostIdFallbackTimeout?: number;
  /** A session idle this long expires: its packets then get BG_E_SESSION_NOT_FOUND, and its folder is swept. Default 14 days, as IIS's BITSSessionTimeout. */
  sessionTimeoutMs?: number;
  /** A session that never received a byte expires after this long (at most sessionTimeoutMs). Default 1 hour. */
  emptySessionTimeoutMs?: number;
  /** A fragment whose body sends no byte for this long is ended (its connection closed) and its session freed. Default 120 s, as IIS's connectionTimeout. */
  fragmentTimeoutMs?: number;
  /**
   * When the finished name already holds a file: 'replace' it atomically (the default), or
   * 'refuse' the Create-Session (403, 0x80070050 ERROR_FILE_EXISTS). In either mode a file is
   * replaced only by the principal that uploaded it (a record kept beside the sessions).
   */
  overwrite?: 'replace' | 'refuse';
  /** Names the principal making a request, refuses it (false, null or undefined: 403), or asks for credentials ({ challenge }: 401). Default: everyone, as ''. */
  authorize?: (req: IncomingMessage) => AuthorizeResult | Promise<AuthorizeResult>;
  /** The finished file's path below `directory` for a Create-Session request, segments split by `/`; checked like the default (the URL's path below the mount). */
  fileName?: (req: IncomingMessage) => string | Promise<string>;
  /**
   * Runs once per finished file, before the last fragment is acked. A throw becomes an error
   * ack with context 0x7, its `hresult` (else E_FAIL) and its `status` (else 500): a 4xx is
   * final (kept, and repeated to a resend), a 5xx transient (onUpload runs again on the resend).
   */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- lets `async (u) => { ... }` (Promise<void>) be passed
  onUpload?: (upload: FinishedUpload) => void | UploadResult | Promise<void | UploadResult>;
  /**
   * How long a packet waits for its session while another process sharing `directory` runs one
   * of the same session (or finishes the same name), before a transient 503 with Retry-After. Default 10 s.
   */
  lockWaitMs?: number;
  /** Told of every session event and refused packet (the CLI prints them). A throw is reported as a process warning and changes no answer. */
  onEvent?: (event: UploadEvent) => void;
}

/** The options with every default applied. */
export interface ResolvedOptions {
  directory: string;
  maxFileSize: number;
  maxFragmentSize: number;
  maxSessions: number;
  sessionTimeoutMs: number;
  emptySessionTimeoutMs: number;
  fragmentTimeoutMs: number;
  lockWaitMs: number;
  overwrite: 'replace' | 'refuse';
  quotas: QuotaLimits;
  /** The Create-Session ack's BITS-Host-Id and BITS-Host-Id-Fallback-Timeout, when set. */
  hostHeaders: Record<string, string>;
  authorize: NonNullable<UploadServerOptions['authorize']>;
  fileName: UploadServerOptions['fileName'];
  onUpload: UploadServerOptions['onUpload'];
  onEvent: NonNullable<UploadServerOptions['onEvent']>;
}

function positiveInteger(options: UploadServerOptions, key: keyof UploadServerOptions, fallback: number): number {
  const v: unknown = options[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new TypeError(`upload server: ${key} must be a number`);
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`upload server: ${key} must be a positive integer, got ${v}`);
  return v;
}

function hook<K extends 'authorize' | 'fileName' | 'onUpload' | 'onEvent'>(options: UploadServerOptions, key: K): UploadServerOptions[K] {
  const v: unknown = options[key];
  if (v !== undefined && typeof v !== 'function') throw new TypeError(`upload server: ${key} must be a function`);
  return options[key];
}

function overwriteMode(v: unknown): 'replace' | 'refuse' {
  if (v === undefined) return 'replace';
  if (v !== 'replace' && v !== 'refuse') throw new TypeError(`upload server: overwrite must be 'replace' or 'refuse'`);
  return v;
}

// A host name, an IPv4 address or a bracketed IPv6 address (RFC 3986 3.2.2), then an optional port.
const HOST_ID = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?$/;

function hostHeaders(options: UploadServerOptions): Record<string, string> {
  const { hostId, hostIdFallbackTimeout: timeout } = options as { hostId?: unknown; hostIdFallbackTimeout?: unknown };
  if (hostId === undefined) {
    if (timeout !== undefined) throw new TypeError('upload server: hostIdFallbackTimeout needs hostId');
    return {};
  }
  if (typeof hostId !== 'string') throw new TypeError('upload server: hostId must be a string');
  const m = HOST_ID.exec(hostId);
  if (!m || Number(m[1] ?? 0) > 65535) throw new RangeError(`upload server: hostId must be a host name or IP address with an optional :port, got ${JSON.stringify(hostId)}`);
  if (timeout === undefined) return { 'BITS-Host-Id': hostId };
  if (typeof timeout !== 'number') throw new TypeError('upload server: hostIdFallbackTimeout must be a number');
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 0xffffffff) throw new RangeError(`upload server: hostIdFallbackTimeout must be 1 to 4294967295 seconds, got ${timeout}`);
  return { 'BITS-Host-Id': hostId, 'BITS-Host-Id-Fallback-Timeout': String(timeout) };
}

/** Checks `options` and fills in the defaults; throws TypeError or RangeError. */
export function resolveOptions(options: UploadServerOptions): ResolvedOptions {
  if (typeof (options as unknown) !== 'object' || (options as unknown) === null) throw new TypeError('upload server: options must be an object');
  if (typeof options.directory !== 'string' || options.directory.length === 0) throw new TypeError('upload server: directory must be a non-empty string');
  if (options.directory.includes('\0')) throw new TypeError('upload server: directory holds a NUL');
  return {
    directory: path.resolve(options.directory),
    maxFileSize: positiveInteger(options, 'maxFileSize', 1 << 30),
    maxFragmentSize: positiveInteger(options, 'maxFragmentSize', 16 << 20),
    maxSessions: positiveInteger(options, 'maxSessions', 1000),
    sessionTimeoutMs: positiveInteger(options, 'sessionTimeoutMs', 14 * 86_400_000),
    emptySessionTimeoutMs: positiveInteger(options, 'emptySessionTimeoutMs', 3_600_000),
    fragmentTimeoutMs: positiveInteger(options, 'fragmentTimeoutMs', 120_000),
    lockWaitMs: positiveInteger(options, 'lockWaitMs', 10_000),
    overwrite: overwriteMode(options.overwrite),
    quotas: {
      maxSessionsPerPrincipal: quotaLimit(options.maxSessionsPerPrincipal, 'maxSessionsPerPrincipal'),
      maxBytesPerPrincipal: quotaLimit(options.maxBytesPerPrincipal, 'maxBytesPerPrincipal'),
      maxTotalBytes: quotaLimit(options.maxTotalBytes, 'maxTotalBytes'),
    },
    hostHeaders: hostHeaders(options),
    authorize: hook(options, 'authorize') ?? (() => ''),
    fileName: hook(options, 'fileName'),
    onUpload: hook(options, 'onUpload'),
    onEvent: hook(options, 'onEvent') ?? (() => undefined),
  };
}
