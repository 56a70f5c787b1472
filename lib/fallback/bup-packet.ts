// The BITS Upload Protocol as its client sees it on the wire ([MC-BUP] 2.2): one
// BITS_POST request per packet, and the reading of the server's answer. The
// state logic that strings the packets together is in upload-client.ts.
import type { Dispatcher } from 'undici';

import { hresultOf, httpStatusHresult } from '../hresult-names.js';
import { undici } from './agent.js';
import type { FallbackError } from './http-errors.js';
import { invalidResponse, protocolError, transientStatus } from './http-errors.js';
import type { Place } from './http-errors.js';

/** The upload protocol GUID of BITS 1.5 and later (Microsoft's Create-Session page; [MC-BUP] 2.2.2.2 BITS-Supported-Protocols). */
export const BITS_UPLOAD_PROTOCOL = '{7df0354d-249b-430f-820d-3d2a9bef4931}';

/** BG_E_SESSION_NOT_FOUND: [MC-BUP] 3.1.5.2.1 says create the session again. */
export const BG_E_SESSION_NOT_FOUND = hresultOf('BG_E_SESSION_NOT_FOUND');
/** Errors 3.1.5.2.1 says to hand to the higher layer as they are: no retry helps. */
const FATAL_BITS_ERRORS = new Set([
  hresultOf('E_ACCESSDENIED'), // not allowed here, or uploads not enabled (with 501)
  hresultOf('BG_E_TOO_LARGE'), // over the virtual directory's maximum
  hresultOf('E_INVALIDARG'), // the server found our headers wrong
]);

/** [MC-BUP] 2.2.1.2 BITS-Packet-Type values a client sends. */
export type PacketType = 'Ping' | 'Create-Session' | 'Fragment' | 'Close-Session' | 'Cancel-Session';

/** One server answer, read. @internal */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.trim();

/** A header of the answer, one value. @internal */
export function header(answer: Answer, name: string): string | undefined {
  return one(answer.headers[name.toLowerCase()]);
}

/**
 * BITS-Error ([MC-BUP] 2.2.1.2; Microsoft's packet pages name it BITS-Error-Code)
 * as an unsigned HRESULT: hex with `0x` or `x` or no prefix. Undefined when absent or garbled.
 */
export function bitsError(answer: Answer): number | undefined {
  const text = header(answer, 'bits-error-code') ?? header(answer, 'bits-error');
  const m = /^(?:0?x)?([0-9a-f]{1,8})$/i.exec(text ?? '');
  return m?.[1] ? Number.parseInt(m[1], 16) >>> 0 : undefined;
}

/** BITS-Error-Context: 0x5 the server, 0x7 the server application ([MC-BUP] 2.2.1.2). */
export function bitsErrorContext(answer: Answer): number | undefined {
  const m = /^(?:0?x)?([0-9a-f]{1,8})$/i.exec(header(answer, 'bits-error-context') ?? '');
  return m?.[1] ? Number.parseInt(m[1], 16) : undefined;
}

/**
 * The error an answer other than success stands for ([MC-BUP] 3.1.5.2.1): the
 * server's BITS-Error with its context when it sent one, else the HTTP status as
 * BITS names it. Transient when BITS would retry (5xx but 501 and 505, 408, 409,
 * 429), never for the errors 3.1.5.2.1 hands up as they are. @internal
 */
export function answerError(answer: Answer, place: Place): FallbackError {
  const hresult = bitsError(answer);
  const transient = transientStatus(answer.status) && (hresult === undefined || !FATAL_BITS_ERRORS.has(hresult));
  const retryAfter = answer.headers['retry-after'];
  if (hresult === undefined) return protocolError(answer.status, httpStatusHresult(answer.status), undefined, place, transient, retryAfter);
  return protocolError(answer.status, hresult, bitsErrorContext(answer) ?? 5, place, transient, retryAfter);
}

/**
 * [MC-BUP] 3.1.5.2: a 200 answer must be an Ack (BITS-Packet-Type, 2.2.1.2), or
 * the client discards it; a server that does not speak the protocol (a plain web
 * server answering any method with a page) is caught here.
 */
export function requireAck(answer: Answer, place: Place): void {
  if (header(answer, 'bits-packet-type')?.toLowerCase() !== 'ack') throw invalidResponse(place, `HTTP ${answer.status} without BITS-Packet-Type: Ack (not a BITS upload server?)`);
}

/** Sends one packet and reads the answer; the body of an Ack is drained and dropped. @internal */
export async function sendPacket(
  dispatcher: Dispatcher,
  url: string,
  type: PacketType,
  headers: Record<string, string>,
  signal: AbortSignal,
  body?: Buffer,
): Promise<Answer> {
  const { request } = await undici();
  const res = await request(url, {
    dispatcher,
    method: 'BITS_POST',
    headers: { ...headers, 'bits-packet-type': type, 'content-length': String(body?.length ?? 0) },
    body: body ?? null,
    signal,
  });
  await res.body.dump({ limit: 1 << 20 }).catch(() => undefined);
  return { status: res.statusCode, headers: res.headers };
}
