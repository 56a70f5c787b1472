// The BITS Upload Protocol on the wire: which requests are packets, how their
// headers are read and checked, and how acks (plain or carrying an error) are
// written. Kept apart from the session logic so that every malformed input is
// refused here, in one place, before anything touches the disk.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { BITS_METHOD_HEADER } from './bits-post.js';

/** The one upload protocol BITS clients offer (BITS 1.5 and later). */
export const BITS_PROTOCOL = '{7df0354d-249b-430f-820d-3d2a9bef4931}';

/** HRESULTs the server sends in `BITS-Error-Code`. */
export const HRESULT = {
  E_INVALIDARG: 0x80070057,
  E_ACCESSDENIED: 0x80070005,
  E_FAIL: 0x80004005,
  BG_E_SESSION_NOT_FOUND: 0x8020001f,
  BG_E_TOO_LARGE: 0x80200020,
  /** Returned with 503 when maxSessions sessions are open (ERROR_BUSY as an HRESULT). */
  BUSY: 0x800700aa,
  /** HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_QUOTA), with 503: maxSessionsPerPrincipal sessions are open. */
  NOT_ENOUGH_QUOTA: 0x80070718,
  /** HRESULT_FROM_WIN32(ERROR_DISK_QUOTA_EXCEEDED), with 503: a byte quota is taken by other sessions. */
  DISK_QUOTA_EXCEEDED: 0x8007050f,
  /** HRESULT_FROM_WIN32(ERROR_FILE_EXISTS): the name is taken and `overwrite` is 'refuse'. */
  FILE_EXISTS: 0x80070050,
  /** HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS): a folder holds the name. */
  ALREADY_EXISTS: 0x800700b7,
  /** HRESULT_FROM_WIN32(ERROR_DISK_FULL), for ENOSPC and EDQUOT. */
  DISK_FULL: 0x80070070,
  /** HRESULT_FROM_WIN32(ERROR_FILE_TOO_LARGE), for EFBIG (a file size limit). */
  FILE_TOO_LARGE: 0x800700df,
  /** HRESULT_FROM_WIN32(ERROR_IO_DEVICE), for EIO. */
  IO_DEVICE: 0x8007045d,
  /** BG_E_HTTP_ERROR_411, BG_E_HTTP_ERROR_413, BG_E_HTTP_ERROR_416: the status as BITS names it (0x80190000 + status). */
  HTTP_411: 0x8019019b,
  HTTP_413: 0x8019019d,
  HTTP_416: 0x801901a0,
  /** BG_E_HTTP_ERROR_401: credentials needed. */
  HTTP_401: 0x80190191,
} as const;

/** `BITS-Error-Context`: 0x5 the server's protocol handling, 0x7 the receiving application. */
export const CONTEXT = { server: 0x5, application: 0x7 } as const;

/** The five request packets, by their lower-case names. */
export type PacketType = 'ping' | 'create-session' | 'fragment' | 'close-session' | 'cancel-session';
const PACKETS: ReadonlySet<string> = new Set<PacketType>(['ping', 'create-session', 'fragment', 'close-session', 'cancel-session']);

/** A refusal: the HTTP status and the HRESULT and context for the error headers. */
export class PacketError extends Error {
  constructor(
    readonly status: number,
    readonly hresult: number,
    message: string,
    readonly context: number = CONTEXT.server,
    readonly headers: Record<string, string | string[]> = {},
  ) {
    super(message);
  }
}

/** A request is a BITS packet when its method is BITS_POST, directly or as rewritten by acceptBitsPost. */
export function isBitsPost(req: IncomingMessage): boolean {
  if (req.method === 'BITS_POST') return true;
  return req.method === 'POST' && req.headers[BITS_METHOD_HEADER] === 'BITS_POST';
}

/** One header's value; a repeated header (an array) counts as malformed. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  if (Array.isArray(v)) throw new PacketError(400, HRESULT.E_INVALIDARG, `header ${name} repeated`);
  return v;
}

export function packetType(req: IncomingMessage): PacketType {
  const type = header(req, 'bits-packet-type')?.trim().toLowerCase();
  if (!type) throw new PacketError(400, HRESULT.E_INVALIDARG, 'BITS-Packet-Type missing');
  if (!PACKETS.has(type)) throw new PacketError(400, HRESULT.E_INVALIDARG, `unknown packet type ${type}`);
  return type as PacketType;
}

/**
 * The packet's body length from Content-Length. Windows' BITS sends it on every
 * packet (Microsoft's packet pages: "Content-Length is required even if the body
 * contains no content"), and a Fragment without one (chunked, or no length at
 * all) gets 411 Length Required.
 */
export function bodyLength(req: IncomingMessage): number {
  const v = header(req, 'content-length');
  if (v === undefined || req.headers['transfer-encoding'] !== undefined) throw new PacketError(411, HRESULT.HTTP_411, 'Content-Length required');
  if (!/^\d{1,15}$/.test(v.trim())) throw new PacketError(400, HRESULT.E_INVALIDARG, 'bad Content-Length');
  return Number(v.trim());
}

/**
 * Ping, Create-Session, Close-Session and Cancel-Session carry no body. Without
 * Content-Length and Transfer-Encoding a request has none (RFC 9110 8.6 even
 * asks clients not to send Content-Length: 0 for a method that expects no
 * content, and undici, Node's fetch, follows it for BITS_POST), so only a length
 * or a chunked body that says otherwise is refused.
 */
export function requireNoBody(req: IncomingMessage): void {
  if (header(req, 'content-length') === undefined && req.headers['transfer-encoding'] === undefined) return;
  if (bodyLength(req) !== 0) throw new PacketError(400, HRESULT.E_INVALIDARG, 'this packet takes no body');
}

/** True when `BITS-Supported-Protocols` (spaces or commas between GUIDs) lists ours. */
export function offersProtocol(req: IncomingMessage): boolean {
  const list = header(req, 'bits-supported-protocols');
  if (list === undefined) throw new PacketError(400, HRESULT.E_INVALIDARG, 'BITS-Supported-Protocols missing');
  return list
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((p) => p.toLowerCase() === BITS_PROTOCOL);
}

const SESSION_ID = /^\{([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}$/i;

/** The session's GUID without braces, lower case; refuses a missing or malformed id. */
export function sessionId(req: IncomingMessage): string {
  const v = header(req, 'bits-session-id')?.trim();
  if (v === undefined) throw new PacketError(400, HRESULT.E_INVALIDARG, 'BITS-Session-Id missing');
  const m = SESSION_ID.exec(v);
  // A well-formed header naming no session is "not found"; garbage is malformed.
  if (!m?.[1]) throw new PacketError(400, HRESULT.E_INVALIDARG, 'malformed BITS-Session-Id');
  return m[1].toLowerCase();
}

/** A Fragment's `Content-Range: bytes first-last/total`, checked against its Content-Length. */
export interface FragmentRange {
  first: number;
  last: number;
  total: number;
}

export function fragmentRange(req: IncomingMessage): FragmentRange {
  const v = header(req, 'content-range');
  if (v === undefined) throw new PacketError(400, HRESULT.E_INVALIDARG, 'Content-Range missing');
  const length = bodyLength(req);
  const encoding = header(req, 'content-encoding')?.trim().toLowerCase();
  // Create-Session's ack offers only Identity; Microsoft's Fragment page: "The client must use
  // the encoding that the server identifies in the Accept-Encoding header".
  if (encoding !== undefined && encoding !== 'identity') throw new PacketError(400, HRESULT.E_INVALIDARG, `Content-Encoding ${encoding} not accepted`);
  // A zero-byte file: RFC 2616 14.16's "*" range (no bytes) of a total of 0.
  if (/^bytes\s+\*\/0$/i.test(v.trim())) {
    if (length !== 0) throw new PacketError(400, HRESULT.E_INVALIDARG, 'Content-Length differs from Content-Range');
    return { first: 0, last: -1, total: 0 };
  }
  const m = /^bytes\s+(\d{1,15})-(\d{1,15})\/(\d{1,15})$/i.exec(v.trim());
  if (!m) throw new PacketError(400, HRESULT.E_INVALIDARG, 'malformed Content-Range');
  const [first, last, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (first > last || last >= total) throw new PacketError(400, HRESULT.E_INVALIDARG, 'Content-Range out of order');
  if (length !== last - first + 1) throw new PacketError(400, HRESULT.E_INVALIDARG, 'Content-Length differs from Content-Range');
  return { first, last, total };
}

/** `0x8020001F`: eight upper-case hex digits, as IIS writes them. */
export function hex(hresult: number): string {
  return `0x${(hresult >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/** Sends an Ack: `BITS-Packet-Type: Ack`, `Content-Length: 0`, and `headers` (an array: the header repeated). */
export function ack(res: ServerResponse, headers: Record<string, string | string[]>, status = 200): void {
  res.writeHead(status, { 'BITS-Packet-Type': 'Ack', 'Content-Length': '0', ...headers });
  res.end();
}

/** Sends an error Ack for `e`, echoing the session id when the packet named one. */
export function refuse(res: ServerResponse, e: PacketError, session?: string): void {
  // [MC-BUP] 2.2.1.2: BITS-Error-Code and BITS-Error-Context MUST be present on every error.
  const headers: Record<string, string | string[]> = { 'BITS-Error-Code': hex(e.hresult), 'BITS-Error-Context': `0x${e.context.toString(16).toUpperCase()}`, ...e.headers };
  if (session !== undefined) headers['BITS-Session-Id'] = `{${session}}`;
  ack(res, headers, e.status);
}
