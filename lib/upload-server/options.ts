// The upload server's options: their public types, their defaults, and their
// validation. Options are checked once, when the handler is made, so that a
// typo (a negative size, a relative hook that is not a function) fails at start
// with a TypeError or RangeError rather than on the first client's upload.
import type { IncomingMessage } from 'node:http';
import path from 'node:path';

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

/** One thing the server did, as reported to {@link UploadServerOptions.onEvent}; the fields present depend on `type`. */
export interface UploadEvent {
  /** What happened. `refused`: a packet got an error ack; `callback-failed`: onUpload threw. */
  type: 'session-created' | 'fragment' | 'upload-finished' | 'session-closed' | 'session-cancelled' | 'refused' | 'callback-failed';
  /** The session, a GUID in braces (absent for a refused packet that named none). */
  sessionId?: string;
  /** Who created the session (session-created, upload-finished). */
  principal?: string;
  /** The file name asked for (session-created). */
  name?: string;
  /** Bytes acked so far (fragment). */
  received?: number;
  /** The file's declared size (fragment). */
  total?: number;
  /** The finished file (upload-finished). */
  path?: string;
  /** The finished file's size (upload-finished). */
  size?: number;
  /** Whether the file had been finished when the session was closed (session-closed). */
  finished?: boolean;
  /** The HTTP status of the refusal (refused). */
  status?: number;
  /** The BITS-Error-Code sent, such as 0x8020001F (refused). */
  code?: string;
  /** Why (refused, callback-failed). */
  message?: string;
}

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
  /** A session idle this long expires: its packets then get BG_E_SESSION_NOT_FOUND. Default 24 hours. */
  sessionTimeoutMs?: number;
  /** Names the principal making a request, or refuses it (false, null or undefined: 403). Default: everyone, as ''. */
  authorize?: (req: IncomingMessage) => string | false | null | undefined | Promise<string | false | null | undefined>;
  /** The finished file's name for a Create-Session request; checked like the default (the URL's last path segment). */
  fileName?: (req: IncomingMessage) => string | Promise<string>;
  /** Runs once per finished file, before the last fragment is acked; a throw becomes an error with context 0x7. */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- lets `async (u) => { ... }` (Promise<void>) be passed
  onUpload?: (upload: FinishedUpload) => void | UploadResult | Promise<void | UploadResult>;
  /** Told of every session event and refused packet (the CLI prints them). Must not throw. */
  onEvent?: (event: UploadEvent) => void;
}

/** The options with every default applied. */
export interface ResolvedOptions {
  directory: string;
  maxFileSize: number;
  maxFragmentSize: number;
  maxSessions: number;
  sessionTimeoutMs: number;
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
    sessionTimeoutMs: positiveInteger(options, 'sessionTimeoutMs', 86_400_000),
    authorize: hook(options, 'authorize') ?? (() => ''),
    fileName: hook(options, 'fileName'),
    onUpload: hook(options, 'onUpload'),
    onEvent: hook(options, 'onEvent') ?? (() => undefined),
  };
}
