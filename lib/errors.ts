import { HRESULT_MESSAGES, describeName } from './hresult-messages.js';
import { HRESULT_NAMES } from './hresult-names.js';
import type { ErrorContext } from './enums.js';

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

// What COM and RPC answer once the service process is gone.
const DISCONNECTED = new Set([
  'RPC_S_SERVER_UNAVAILABLE',
  'RPC_S_CALL_FAILED',
  'RPC_S_CALL_FAILED_DNE',
  'RPC_E_DISCONNECTED',
  'RPC_E_SERVER_DIED',
  'RPC_E_SERVER_DIED_DNE',
  'CO_E_OBJNOTCONNECTED',
]);

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

  /** True when the BITS service went away (stopped, crashed): connect again; the jobs themselves persist in BITS. */
  get disconnected(): boolean {
    return DISCONNECTED.has(this.code);
  }

  constructor(options: BitsErrorOptions) {
    const hresult = options.hresult >>> 0;
    const code = hresultName(hresult);
    const description = options.description?.trim() || builtInDescription(hresult);
    const advice = DISCONNECTED.has(code) ? ' The connection to the BITS service is lost: call BackgroundCopyManager.connect() again.' : '';
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
  constructor(platform: string, cause?: unknown) {
    super(
      `windows-bits drives the Windows BITS service and cannot run on ${platform}: ` +
        'BITS exists only on Windows (or under Wine). Types, constants and errors still import here.',
      cause === undefined ? undefined : { cause },
    );
    this.platform = platform;
  }
}

/** A call on a manager or job after its `close()`. */
export class ObjectClosedError extends Error {
  /** Always 'ObjectClosedError'. */
  override readonly name = 'ObjectClosedError';
  /** Always 'ERR_BITS_CLOSED'. */
  readonly code = 'ERR_BITS_CLOSED';
  constructor(what: string) {
    super(`${what} was closed; get a new one (manager.getJob(id) reattaches to a job)`);
  }
}

/** The shape the addon rejects with; see binding.d.ts. */
interface NativeFailure {
  /** The HRESULT, signed or unsigned. */
  hresult: number;
  /** The COM method that failed, e.g. 'IBackgroundCopyJob::Resume'. */
  method: string;
  message: string;
}

function isNativeFailure(e: unknown): e is NativeFailure {
  return (
    e instanceof Error &&
    typeof (e as Partial<NativeFailure>).hresult === 'number' &&
    typeof (e as Partial<NativeFailure>).method === 'string'
  );
}

/** Awaits a binding call and turns the addon's raw failure into a BitsError. */
export async function native<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (isNativeFailure(e)) throw new BitsError({ hresult: e.hresult, method: e.method, description: e.message });
    if (e instanceof Error && (e as { code?: unknown }).code === 'ERR_BITS_CLOSED') throw new ObjectClosedError('The object');
    throw e;
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
