// Every check of a caller's value, and its conversion into what the addon takes:
// the job's setters and the one-call transfers' options use the same functions,
// so a value is refused with the same message whichever way it came. They run
// before any COM call. A wrong JS type is a TypeError; a value of the right type
// that BITS would refuse is a RangeError. They take `unknown`: JavaScript
// callers pass anything, whatever the public types say.
import path from 'node:path';

import { AUTH_SCHEMES, AUTH_TARGETS, PROXY_USAGES } from './enums.js';
import { normalizeGuid } from './guid.js';

export function requireString(
  what: string,
  value: unknown,
  options: { maxLength?: number; allowEmpty?: boolean } = {},
): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${describe(value)}`);
  if (!options.allowEmpty && value.length === 0) throw new RangeError(`${what} must not be empty`);
  if (value.includes('\0')) throw new RangeError(`${what} must not contain a NUL character`);
  if (options.maxLength !== undefined && value.length > options.maxLength) {
    throw new RangeError(`${what} is ${value.length} characters long; BITS allows at most ${options.maxLength}`);
  }
  return value;
}

export function requireOneOf<T extends string>(what: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string') throw new TypeError(`${what} must be one of ${list(allowed)}, got ${describe(value)}`);
  if (!(allowed as readonly string[]).includes(value)) throw new RangeError(`${what} must be one of ${list(allowed)}, got '${value}'`);
  return value as T;
}

/**
 * A whole number from 0 to `max`: by default a DWORD's range (0 to 2^32 - 1),
 * and up to Number.MAX_SAFE_INTEGER where the caller says so (a UINT64 or a
 * time in milliseconds).
 */
export function requireWholeNumber(what: string, value: unknown, max = 0xffffffff): number {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${what} must be a whole number from 0 to ${max}, got ${value}`);
  }
  return value;
}

/** The longest poll or refresh interval taken: one hour. */
export const MAX_INTERVAL_MS = 3_600_000;

/**
 * A poll or refresh interval in milliseconds, from `min` (10 by default: a
 * shorter one would ask BITS about every millisecond) to one hour. Node's
 * setTimeout turns anything over 2^31-1 ms into 1 ms, so nothing longer is taken.
 */
export function requireInterval(what: string, value: unknown, min = 10): number {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number of milliseconds, got ${describe(value)}`);
  if (!Number.isFinite(value) || value < min || value > MAX_INTERVAL_MS) {
    throw new RangeError(`${what} must be from ${min} to ${MAX_INTERVAL_MS} ms (one hour), got ${value}`);
  }
  return value;
}

export function requireBoolean(what: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${what} must be a boolean, got ${describe(value)}`);
  return value;
}

export function requireGuid(what: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a GUID string, got ${describe(value)}`);
  const g = normalizeGuid(value);
  if (!g) throw new RangeError(`${what} is not a GUID: '${truncate(value)}'`);
  return g;
}

/** An HRESULT given signed (as C# and PowerShell print it) or unsigned. */
export function requireHresult(what: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    throw new RangeError(`${what} must be a 32-bit HRESULT, got ${value}`);
  }
  return value >>> 0;
}

// BITS's limits, from Microsoft's docs.
export const MAX_DISPLAY_NAME = 256;
export const MAX_DESCRIPTION = 1024;
export const MAX_REMOTE_NAME = 2200;
export const MAX_PATH = 260;

/**
 * A remote name BITS can transfer from or to: an http, https or file URL, a UNC
 * path, or an absolute local path (`C:\dir\file`, `C:/dir/file`, `\\?\C:\dir\file`),
 * which BITS copies as it copies an SMB file (Wine's qmgr conformance tests assert
 * S_OK for one). Drive-letter paths come back with backslashes and `.`/`..`
 * resolved; the other forms come back as given. Relative paths (`file.bin`,
 * `C:file.bin`, `\dir\file.bin`) are refused: BITS runs in a service with a
 * current folder of its own.
 */
export function requireRemoteName(what: string, value: unknown): string {
  const s = requireString(what, value, { maxLength: MAX_REMOTE_NAME });
  const local = windowsRemotePath(what, s);
  if (local !== null) return local;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new RangeError(`${what} must be an http, https or file URL, a UNC path or an absolute local path: '${truncate(s)}'`);
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol)) {
    throw new RangeError(`${what} must use http, https or file (SMB); '${url.protocol}' is not supported by BITS`);
  }
  return s;
}

/**
 * The Windows path forms of a remote name, checked; null when `s` is not one
 * (then it must be a URL). A single letter and a colon would otherwise parse as
 * a URL scheme ("c:").
 */
function windowsRemotePath(what: string, s: string): string | null {
  const full = 'give a full path such as C:\\data\\file.bin';
  if (s.startsWith('\\\\?\\')) {
    // Taken literally by Windows: no normalizing, so only backslashes.
    if (!/^\\\\\?\\([a-zA-Z]:\\|UNC\\[^\\]+\\[^\\]+)/.test(s)) {
      throw new RangeError(`${what} must follow \\\\?\\ with a drive (\\\\?\\C:\\...) or UNC\\server\\share, got '${truncate(s)}'`);
    }
    return s;
  }
  if (s.startsWith('\\\\')) return s; // UNC: \\server\share\...
  if (/^[a-zA-Z]:[\\/]/.test(s)) {
    const p = path.win32.normalize(s);
    if (p.endsWith('\\')) throw new RangeError(`${what} must name a file, not a folder: '${truncate(s)}'`);
    return p;
  }
  if (/^[a-zA-Z]:/.test(s)) throw new RangeError(`${what} '${truncate(s)}' is relative to the current folder of drive ${s.slice(0, 2)}; ${full}`);
  if (s.startsWith('\\') || s.startsWith('/')) throw new RangeError(`${what} '${truncate(s)}' has no drive; ${full}`);
  return null;
}

/**
 * A full Windows path in an existing folder, as BITS requires: a drive or a UNC
 * share, no wildcards, no `\\?\` prefix, no alternate data stream, MAX_PATH at most.
 * Forward slashes are accepted and turned into backslashes.
 */
export function requireLocalName(what: string, value: unknown): string {
  const s = requireString(what, value, { maxLength: MAX_PATH - 1 });
  if (s.startsWith('\\\\?\\') || s.startsWith('//?/')) throw new RangeError(`${what} must not use the \\\\?\\ prefix: BITS refuses it`);
  const p = path.win32.normalize(s);
  const drive = /^[a-zA-Z]:\\/.test(p);
  const unc = /^\\\\[^\\]+\\[^\\]+/.test(p);
  if (!drive && !unc) throw new RangeError(`${what} must be a full Windows path such as C:\\Downloads\\file.zip, got '${truncate(s)}'`);
  if (/[*?"<>|]/.test(p)) throw new RangeError(`${what} must not contain wildcards or the characters " < > |`);
  if (p.indexOf(':', 2) !== -1) throw new RangeError(`${what} must not name an alternate data stream`);
  if (p.endsWith('\\')) throw new RangeError(`${what} must name a file, not a folder`);
  return p;
}

/** Checks `{ remoteUrl, localPath }` pairs into what AddFileSet takes. */
export function checkFileSpecs(files: unknown): Array<{ remoteName: string; localName: string }> {
  if (!Array.isArray(files)) throw new TypeError('files must be an array of { remoteUrl, localPath }');
  if (files.length === 0) throw new RangeError('files must not be empty');
  return files.map((f: unknown, i) => {
    if (typeof f !== 'object' || f === null) throw new TypeError(`files[${i}] must be an object { remoteUrl, localPath }`);
    const spec = f as { remoteUrl?: unknown; localPath?: unknown };
    return { remoteName: requireRemoteName(`files[${i}].remoteUrl`, spec.remoteUrl), localName: requireLocalName(`files[${i}].localPath`, spec.localPath) };
  });
}

/** Checks `{ offset, length }` ranges (length null: to the end); BITS allows 500 per file. */
export function checkRanges(ranges: unknown): Array<{ offset: number; length: number | null }> {
  if (!Array.isArray(ranges)) throw new TypeError('ranges must be an array of { offset, length }');
  if (ranges.length === 0 || ranges.length > 500) throw new RangeError('ranges must hold 1 to 500 ranges');
  return ranges.map((r: unknown, i) => {
    if (typeof r !== 'object' || r === null) throw new TypeError(`ranges[${i}] must be { offset, length }`);
    const { offset, length } = r as { offset?: unknown; length?: unknown };
    return {
      offset: requireWholeNumber(`ranges[${i}].offset`, offset, Number.MAX_SAFE_INTEGER),
      length: length === null || length === undefined ? null : requireWholeNumber(`ranges[${i}].length`, length, Number.MAX_SAFE_INTEGER),
    };
  });
}

/** Proxy settings as SetProxySettings takes them: BG_JOB_PROXY_USAGE, proxy list, bypass list. */
export function checkProxySettings(what: string, settings: unknown): [usage: number, proxyList: string | null, bypassList: string | null] {
  if (typeof settings !== 'object' || settings === null) throw new TypeError(`${what} must be an object`);
  const s = settings as { usage?: unknown; proxyList?: unknown; bypassList?: unknown };
  const usage = PROXY_USAGES.indexOf(requireOneOf(`${what}.usage`, s.usage, PROXY_USAGES));
  const list = s.proxyList == null ? null : requireString(`${what}.proxyList`, s.proxyList, { maxLength: 32767 });
  const bypass = s.bypassList == null ? null : requireString(`${what}.bypassList`, s.bypassList, { maxLength: 32767 });
  if (s.usage === 'override' && !list) throw new RangeError(`${what}.proxyList is required for 'override'`);
  return [usage, list, bypass];
}

/** A BG_AUTH_TARGET or BG_AUTH_SCHEME by its name: both count from 1. */
export function requireAuth(what: string, value: unknown, names: readonly string[]): number {
  return names.indexOf(requireOneOf(what, value, names)) + 1;
}

/** Credentials as SetCredentials takes them: target, scheme, user name, password. */
export type CheckedCredentials = [target: number, scheme: number, userName: string | null, password: string | null];

/** Checks `{ target, scheme, userName, password }` into what SetCredentials takes. */
export function checkCredentials(what: string, credentials: unknown): CheckedCredentials {
  if (typeof credentials !== 'object' || credentials === null) throw new TypeError(`${what} must be an object`);
  const c = credentials as { target?: unknown; scheme?: unknown; userName?: unknown; password?: unknown };
  const target = requireAuth(`${what}.target`, c.target ?? 'server', AUTH_TARGETS);
  const scheme = requireAuth(`${what}.scheme`, c.scheme ?? 'basic', AUTH_SCHEMES);
  const user = c.userName === null ? null : requireString(`${what}.userName`, c.userName, { maxLength: 300, allowEmpty: true });
  // The password's value never goes into a message: only its type and length are checked.
  const password = c.password;
  if (password !== null && typeof password !== 'string') throw new TypeError(`${what}.password must be a string or null`);
  if (password !== null && (password.length > 65536 || password.includes('\0'))) throw new RangeError(`${what}.password is too long or contains NUL`);
  return [target, scheme, user, password];
}

/** `{ name: value }` or `['Name: value']` to BITS's CRLF-separated header text, checked for injection. */
export function headerText(headers: unknown): string {
  if (typeof headers !== 'object' || headers === null) throw new TypeError('headers must be an object or an array of strings');
  const lines = Array.isArray(headers)
    ? headers.map((l: unknown, i) => requireString(`headers[${i}]`, l))
    : Object.entries(headers).map(([k, v]: [string, unknown]) => `${k}: ${requireString(`headers['${k}']`, v, { allowEmpty: true })}`);
  for (const line of lines) {
    if (/[\r\n]/.test(line)) throw new RangeError('a header must not contain CR or LF');
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/.test(line)) throw new RangeError(`'${line.slice(0, 40)}' is not a 'Name: value' header`);
  }
  const text = lines.join('\r\n');
  if (text.length > 16384) throw new RangeError('custom headers must total at most 16 KB');
  return text;
}

function list(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string '${truncate(value)}'`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}
