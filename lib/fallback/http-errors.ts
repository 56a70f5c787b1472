// How the plain-HTTP fallback fails: always a BitsError whose code is the one BITS
// would report for the same failure, so a caller handles one error type whichever
// path ran. HTTP statuses are BG_E_HTTP_ERROR_xxx; network failures get BITS's
// BG_E_* transport codes; local file failures the Win32 code of the errno. Every
// code comes by name from the one table (hresult-names.ts). `method` names the
// HTTP request rather than a COM method.
import { STATUS_CODES } from 'node:http';

import { ERROR_CONTEXTS } from '../enums.js';
import type { ErrorContext } from '../enums.js';
import { BitsError } from '../errors.js';
import { hresultOf, httpStatusHresult } from '../hresult-names.js';
/** A BitsError of the HTTP path, and whether trying again may help. @internal */
export class FallbackError extends BitsError {
  /** True for failures BITS treats as transient (it would retry the job). */
  readonly transient: boolean;
  /** The server's Retry-After, in milliseconds, when it sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(options: ConstructorParameters<typeof BitsError>[0] & { transient: boolean; retryAfterMs?: number | undefined }, cause?: unknown) {
    super(options);
    this.transient = options.transient;
    this.retryAfterMs = options.retryAfterMs;
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause, configurable: true, writable: true });
  }
}

export const BG_E_CONNECTION_CLOSED = hresultOf('BG_E_CONNECTION_CLOSED');
const BG_E_CONNECT_FAILURE = hresultOf('BG_E_CONNECT_FAILURE');
const BG_E_NAME_RESOLUTION_FAILURE = hresultOf('BG_E_NAME_RESOLUTION_FAILURE');
const BG_E_SECURE_CHANNEL_FAILURE = hresultOf('BG_E_SECURE_CHANNEL_FAILURE');
const BG_E_TIMEOUT = hresultOf('BG_E_TIMEOUT');
const BG_E_INVALID_SERVER_RESPONSE = hresultOf('BG_E_INVALID_SERVER_RESPONSE');
const BG_E_UNKNOWN_ERROR = hresultOf('BG_E_UNKNOWN_ERROR');
const E_FAIL = hresultOf('E_FAIL');
/**
 * Whether BITS retries an HTTP status, from Microsoft's "Handling Server
 * Application Errors" page: 4xx are fatal except 408 and 409; 5xx transient
 * except 501 and 505. 429 is added as transient: RFC 6585 4 gives it a
 * Retry-After to honour.
 */
export function transientStatus(status: number): boolean {
  if (status >= 400 && status < 500) return status === 408 || status === 409 || status === 429;
  if (status >= 500 && status < 600) return status !== 501 && status !== 505;
  return true;
}

/** Retry-After (RFC 9110 10.2.3) as milliseconds from now: delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number.parseInt(text, 10) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Where and on what an error happened. @internal */
export interface Place {
  method: string;
  remoteName: string;
  localName: string;
}

function protocolOf(url: string): string {
  return url.startsWith('https:') ? 'https' : 'http';
}

/** The error for an HTTP status the server answered. @internal */
export function httpStatusError(status: number, place: Place, retryAfter?: string | string[], context: ErrorContext = 'remote-file'): FallbackError {
  const text = STATUS_CODES[status];
  return new FallbackError({
    hresult: httpStatusHresult(status),
    method: place.method,
    description: `The server answered HTTP status ${status}${text ? ` (${text})` : ''}`,
    context,
    protocol: protocolOf(place.remoteName),
    file: { remoteName: place.remoteName, localName: place.localName },
    transient: transientStatus(status),
    retryAfterMs: retryAfterMs(retryAfter),
  });
}

/** BITS-Error / BITS-Error-Context of an [MC-BUP] 2.2.1.2 answer: context 0x5 is the server, 0x7 the server application. @internal */
export function protocolError(status: number, hresult: number, contextNumber: number | undefined, place: Place, transient: boolean, retryAfter?: string | string[]): FallbackError {
  const context = contextNumber !== undefined ? (ERROR_CONTEXTS[contextNumber] ?? 'unknown') : 'remote-file';
  const text = STATUS_CODES[status];
  return new FallbackError({
    hresult,
    method: place.method,
    description: `The upload server answered HTTP status ${status}${text ? ` (${text})` : ''}`,
    context,
    protocol: protocolOf(place.remoteName),
    file: { remoteName: place.remoteName, localName: place.localName },
    transient,
    retryAfterMs: retryAfterMs(retryAfter),
  });
}

/** A malformed or inconsistent answer. @internal */
export function invalidResponse(place: Place, why: string, transient = false): FallbackError {
  return new FallbackError({
    hresult: BG_E_INVALID_SERVER_RESPONSE,
    method: place.method,
    description: `The server's answer is not valid: ${why}`,
    context: 'remote-file',
    protocol: protocolOf(place.remoteName),
    file: { remoteName: place.remoteName, localName: place.localName },
    transient,
  });
}

const NETWORK: ReadonlyArray<[RegExp, number, boolean]> = [
  [/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/, BG_E_NAME_RESOLUTION_FAILURE, true],
  [/^(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN|EADDRNOTAVAIL)$/, BG_E_CONNECT_FAILURE, true],
  [/^(ECONNRESET|EPIPE|ECONNABORTED|UND_ERR_SOCKET|UND_ERR_CLOSED|UND_ERR_RES_CONTENT_LENGTH_MISMATCH|UND_ERR_REQ_CONTENT_LENGTH_MISMATCH)$/, BG_E_CONNECTION_CLOSED, true],
  [/^(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)$/, BG_E_TIMEOUT, true],
  [/^(ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_SSL_|EPROTO$)/, BG_E_SECURE_CHANNEL_FAILURE, false],
  [/^(HPE_|UND_ERR_INFO|UND_ERR_RESPONSE|UND_ERR_MAX_REDIRECTS|UND_ERR_INVALID_ARG)/, BG_E_INVALID_SERVER_RESPONSE, false],
];

/** The codes along an error's cause chain, innermost first: undici wraps the socket's errno. */
function codesOf(e: unknown): string[] {
  const codes: string[] = [];
  for (let x = e, depth = 0; x && depth < 5; depth++, x = (x as { cause?: unknown }).cause) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string') codes.unshift(code);
  }
  return codes;
}

/** The error for a failed request or a broken body: BITS's transport codes. @internal */
export function networkError(e: unknown, place: Place): FallbackError {
  if (e instanceof FallbackError) return e;
  let code: string | undefined;
  let hit: (typeof NETWORK)[number] | undefined;
  for (const c of codesOf(e)) {
    code ??= c;
    hit = NETWORK.find(([re]) => re.test(c));
    if (hit) {
      code = c;
      break;
    }
  }
  const message = e instanceof Error ? e.message : String(e);
  return new FallbackError(
    {
      hresult: hit?.[1] ?? BG_E_UNKNOWN_ERROR,
      method: place.method,
      description: `${message}${code ? ` (${code})` : ''}`,
      context: 'general-transport',
      protocol: protocolOf(place.remoteName),
      file: { remoteName: place.remoteName, localName: place.localName },
      // BITS treats an unknown transport failure as transient too; the retries are bounded.
      transient: hit?.[2] ?? true,
    },
    e,
  );
}

/** The Win32 error of an errno, by its name in the table. */
const LOCAL: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries({
    ENOENT: 'ERROR_PATH_NOT_FOUND', // the folder of the local file is missing
    ENOTDIR: 'ERROR_PATH_NOT_FOUND',
    EACCES: 'E_ACCESSDENIED',
    EPERM: 'E_ACCESSDENIED',
    EISDIR: 'E_ACCESSDENIED',
    EROFS: 'E_ACCESSDENIED',
    EBUSY: 'ERROR_SHARING_VIOLATION',
    ENOSPC: 'ERROR_DISK_FULL',
    EDQUOT: 'ERROR_DISK_FULL',
    ENAMETOOLONG: 'ERROR_FILENAME_EXCED_RANGE',
    EINVAL: 'ERROR_INVALID_NAME',
  }).map(([errno, name]) => [errno, hresultOf(name)]),
);

/** The error for a local file that cannot be read, written or renamed. @internal */
export function localFileError(e: unknown, place: Place): FallbackError {
  if (e instanceof FallbackError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return new FallbackError(
    {
      hresult: (code && LOCAL[code]) || E_FAIL,
      method: place.method,
      description: e instanceof Error ? e.message : String(e),
      context: 'local-file',
      protocol: protocolOf(place.remoteName),
      file: { remoteName: place.remoteName, localName: place.localName },
      transient: false,
    },
    e,
  );
}
