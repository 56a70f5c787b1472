// One whole upload as Windows' BITS client makes it, written from [MC-BUP] 3.1
// and Microsoft's BITS pages, for the fleet tests: Create-Session, Fragments
// from the offset the last ack named, Close-Session. Its error handling is the
// client's:
// - a reset connection, a request that gets no answer in time (WinHTTP's
//   receive timeout), and the HTTP statuses Microsoft's "Handling Server
//   Application Errors" calls transient (5xx but 501 and 505; 408, 409) are
//   retried after a pause, the fragment resent from the last acked offset;
// - 416 and every ack carry BITS-Received-Content-Range, where the next
//   fragment starts ([MC-BUP] 3.1.5.2.4);
// - BG_E_SESSION_NOT_FOUND sends the client back to Create-Session and byte 0
//   ([MC-BUP] 3.1.5.2.1); it is counted, since a fleet must never cause it;
// - anything else is final and thrown.
// Each packet goes on a new connection, as behind a balancer that spreads
// requests, so consecutive packets of a session reach different processes.
import { request } from 'node:http';

import { PROTOCOL } from './bits-client.js';

export interface UploaderOptions {
  fragmentSize: number;
  /** No answer this long: the request is dropped and retried (WinHTTP's receive timeout, shortened for tests). */
  answerTimeoutMs: number;
  /** Transient failures in a row before giving up. */
  attempts: number;
  /** Told each acked offset. */
  onAck?: (received: number) => void;
}

export interface UploaderResult {
  /** Sessions created: 1 unless the server lost the session. */
  sessions: number;
  /** SESSION_NOT_FOUND answers received. */
  sessionsLost: number;
  /** Transient failures retried. */
  retries: number;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

class Transient extends Error {}

function send(base: string, path: string, headers: Record<string, string>, body: Buffer | undefined, timeoutMs: number): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'BITS_POST', agent: false, headers: { 'Content-Length': String(body?.length ?? 0), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.on('error', (e) => reject(new Transient(e.message)));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (e) => reject(new Transient(e.message)));
    req.end(body);
  });
}

const transientStatus = (s: number): boolean => (s >= 500 && s !== 501 && s !== 505) || s === 408 || s === 409;

export async function bitsUpload(base: string, path: string, data: Buffer, o: UploaderOptions): Promise<UploaderResult> {
  const result: UploaderResult = { sessions: 0, sessionsLost: 0, retries: 0 };
  let session: string | undefined;
  let offset = 0;
  let failures = 0;
  let closed = false;
  while (!closed) {
    try {
      let answer: Answer;
      if (session === undefined) {
        answer = await send(base, path, { 'BITS-Packet-Type': 'Create-Session', 'BITS-Supported-Protocols': PROTOCOL }, undefined, o.answerTimeoutMs);
      } else if (offset < data.length) {
        const end = Math.min(offset + o.fragmentSize, data.length);
        answer = await send(base, path, { 'BITS-Packet-Type': 'Fragment', 'BITS-Session-Id': session, 'Content-Range': `bytes ${offset}-${end - 1}/${data.length}` }, data.subarray(offset, end), o.answerTimeoutMs);
      } else {
        answer = await send(base, path, { 'BITS-Packet-Type': 'Close-Session', 'BITS-Session-Id': session }, undefined, o.answerTimeoutMs);
      }
      if (answer.headers['bits-error-code'] === '0x8020001F') {
        result.sessionsLost++;
        session = undefined;
        offset = 0;
        continue;
      }
      if (transientStatus(answer.status)) throw new Transient(`HTTP ${answer.status} ${String(answer.headers['bits-error-code'])}`);
      if (answer.status !== 200 && !(answer.status === 416 && session !== undefined)) throw new Error(`final error: HTTP ${answer.status} ${JSON.stringify(answer.headers)}`);
      if (session === undefined) {
        session = String(answer.headers['bits-session-id']);
        result.sessions++;
      } else if (offset < data.length) {
        offset = Number(answer.headers['bits-received-content-range']);
        o.onAck?.(offset);
      } else closed = true;
      failures = 0;
    } catch (e) {
      if (!(e instanceof Transient) || ++failures > o.attempts) throw e;
      result.retries++;
      // BITS waits its retry delay; a short jittered pause keeps the test quick.
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80 * failures));
    }
  }
  return result;
}
