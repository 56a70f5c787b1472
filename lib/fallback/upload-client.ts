// Upload over plain HTTP, for when BITS cannot run: the client side of the BITS
// Upload Protocol, written from [MC-BUP] 3.1 (the client's state machine,
// 3.1.5.1.x, and its reading of each answer, 3.1.5.2.x) and Microsoft's packet
// pages, not from what our own server happens to accept. It talks to IIS with the
// BITS server extensions as to windows-bits/upload-server.
//
//   PING (3.1.5.1.3) -> CREATE-SESSION (3.1.5.1.2) -> FRAGMENT* (3.1.5.1.4)
//     -> [upload-reply: GET_REPLY (3.1.5.1.8)] -> CLOSE-SESSION (3.1.5.1.5)
//   any error -> ERROR (3.1.5.1.7): BG_E_SESSION_NOT_FOUND creates the session
//     again, 413 sends smaller fragments, the rest goes to the caller (after
//     the retries the caller allowed for transient ones).
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import path from 'node:path';

import type { Dispatcher } from 'undici';

import { hresultOf } from '../hresult-names.js';
import { fallbackDispatcher, undici } from './agent.js';
import { BG_E_SESSION_NOT_FOUND, BITS_UPLOAD_PROTOCOL, answerError, header, requireAck, sendPacket } from './bup-packet.js';
import type { Answer, PacketType } from './bup-packet.js';
import { Control, ListenerFailure, Progress, checkCommon, checkRetry, retryDelay } from './control.js';
import type { CheckedRetry } from './control.js';
import { FallbackError, invalidResponse, localFileError, networkError } from './http-errors.js';
import type { Place } from './http-errors.js';
import { httpDownload } from './http-download.js';
import type { HttpTransferOptions, HttpTransferResult } from './http-download.js';

/** Options of httpUpload. */
export interface HttpUploadOptions extends HttpTransferOptions {
  /** Upload-reply: where to store the server application's reply (BITS-Reply-URL). Without it, a plain upload. */
  replyPath?: string;
  /** The first fragment's size (default 8 MiB); halved on each 413 ([MC-BUP] 3.1.5.2.4). */
  fragmentSize?: number;
}

/** What a finished upload reports. */
export interface HttpUploadResult extends HttpTransferResult {
  /** Where the reply was stored, for an upload-reply. */
  replyPath?: string;
}

const BG_E_LOCAL_FILE_CHANGED = hresultOf('BG_E_LOCAL_FILE_CHANGED');
/** The smallest fragment tried after 413s; a server refusing that is reported. */
const MIN_FRAGMENT = 4096;
/** How often a lost session is created again before giving up ([MC-BUP] sets no bound; a server that keeps losing it would loop). */
const MAX_SESSIONS = 4;

class SessionLost extends Error {}

class Upload {
  session: string | undefined;
  /** The next byte the server expects: BITS-Received-Content-Range of the last ack. */
  offset = 0;
  fragmentSize: number;
  sessions = 0;
  replyUrl: string | undefined;
  readonly buffer: Buffer;

  constructor(
    readonly url: string,
    readonly local: string,
    readonly file: FileHandle,
    readonly total: number,
    readonly headers: Readonly<Record<string, string>>,
    readonly control: Control,
    readonly progress: Progress,
    readonly dispatcher: Dispatcher,
    fragmentSize: number,
  ) {
    this.fragmentSize = fragmentSize;
    this.buffer = Buffer.allocUnsafe(Math.min(fragmentSize, Math.max(total, 1)));
  }

  place(type: PacketType): Place {
    return { method: `BITS_POST ${type}`, remoteName: this.url, localName: this.local };
  }

  /** One packet; a non-success answer becomes its error ([MC-BUP] 3.1.5.2.1), a lost session SessionLost. */
  async packet(type: PacketType, headers: Record<string, string>, body?: Buffer, accept: readonly number[] = [200]): Promise<Answer> {
    const place = this.place(type);
    let answer: Answer;
    try {
      answer = await sendPacket(this.dispatcher, this.url, type, { ...this.headers, ...headers }, this.control.signal, body);
    } catch (e) {
      throw networkError(e, place);
    }
    if (accept.includes(answer.status)) {
      // A 200 must be an Ack (3.1.5.2); 413 and 416 are read by the fragment logic.
      if (answer.status === 200) requireAck(answer, place);
      return answer;
    }
    const error = answerError(answer, place);
    if (error.hresult === BG_E_SESSION_NOT_FOUND && type !== 'Cancel-Session' && type !== 'Ping') throw new SessionLost();
    throw error;
  }

  /** 3.1.5.1.3 STATE_PING: establishes the connection before the session, as Microsoft's Ping page advises. */
  async ping(): Promise<void> {
    await this.packet('Ping', {});
  }

  /** 3.1.5.1.2 STATE_CREATE_SESSION and 3.1.5.2.2: the server picks our protocol and names the session. */
  async createSession(): Promise<void> {
    if (++this.sessions > MAX_SESSIONS) throw invalidResponse(this.place('Create-Session'), `the server lost the session ${MAX_SESSIONS} times`);
    const answer = await this.packet('Create-Session', { 'bits-supported-protocols': BITS_UPLOAD_PROTOCOL });
    const place = this.place('Create-Session');
    const protocol = header(answer, 'bits-protocol');
    if (protocol?.toLowerCase() !== BITS_UPLOAD_PROTOCOL) throw invalidResponse(place, `BITS-Protocol ${JSON.stringify(protocol ?? null)} is not the protocol offered`);
    const session = header(answer, 'bits-session-id');
    if (!session) throw invalidResponse(place, 'no BITS-Session-Id in the Ack for Create-Session');
    // Accept-Encoding of the Ack names the fragments' encoding; only Identity is defined (2.2.3.2).
    const encoding = header(answer, 'accept-encoding');
    if (encoding !== undefined && !/(^|,)\s*identity\s*(;|,|$)/i.test(encoding)) throw invalidResponse(place, `fragments cannot be sent in ${encoding}`);
    // BITS-Host-Id (2.2.3.2) redirects the session to one server of a farm; a client without it must not use it.
    if (header(answer, 'bits-host-id')) throw invalidResponse(place, 'BITS-Host-Id (server farms) is not supported by the HTTP fallback');
    this.session = session;
    this.offset = 0;
    this.replyUrl = undefined;
  }

  /** Reads [offset, offset + length) of the local file; a file that shrank is BG_E_LOCAL_FILE_CHANGED. */
  async read(offset: number, length: number): Promise<Buffer> {
    const place = this.place('Fragment');
    let got: number;
    try {
      ({ bytesRead: got } = await this.file.read(this.buffer, 0, length, offset));
    } catch (e) {
      throw localFileError(e, place);
    }
    if (got !== length) {
      throw new FallbackError({ hresult: BG_E_LOCAL_FILE_CHANGED, method: place.method, description: 'The local file changed while it was uploaded', context: 'local-file', transient: false });
    }
    return this.buffer.subarray(0, length);
  }

  /**
   * 3.1.5.1.4 STATE_FRAGMENT with 3.1.5.2.4: each fragment starts where the
   * server's last BITS-Received-Content-Range said, on 200 as on 416 (the server
   * has more, or less, than we sent); 413 halves the fragment.
   */
  async fragments(): Promise<void> {
    const place = this.place('Fragment');
    while (this.offset < this.total) {
      const length = Math.min(this.fragmentSize, this.total - this.offset);
      const body = await this.read(this.offset, length);
      const headers: Record<string, string> = {
        'bits-session-id': this.session as string,
        'content-range': `bytes ${this.offset}-${this.offset + length - 1}/${this.total}`,
      };
      // Content-Name only with the first fragment (Microsoft's Fragment page).
      if (this.offset === 0) headers['content-name'] = path.basename(this.local);
      const answer = await this.packet('Fragment', headers, body, [200, 413, 416]);
      if (answer.status === 413) {
        // 3.1.5.1.7 / 3.1.5.2.4: smaller fragments until the server takes them; the smallest refused is reported.
        if (this.fragmentSize <= MIN_FRAGMENT) throw answerError(answer, place);
        this.fragmentSize = Math.max(MIN_FRAGMENT, Math.floor(this.fragmentSize / 2));
        continue;
      }
      const received = header(answer, 'bits-received-content-range');
      // 2.2.7.2: the field MUST be there; it is the next offset, so at most the file's size.
      if (received === undefined || !/^\d+$/.test(received)) throw invalidResponse(place, `HTTP ${answer.status} without a valid BITS-Received-Content-Range`);
      const next = Number(received);
      if (next > this.total) throw invalidResponse(place, `BITS-Received-Content-Range ${next} is past the end of the ${this.total}-byte file`);
      this.offset = next;
      this.replyUrl = header(answer, 'bits-reply-url') ?? this.replyUrl;
      this.progress.report(next, this.total);
    }
  }

  /** 3.1.5.1.5 STATE_CLOSE_SESSION: the server moves the file into place and forgets the session. */
  async closeSession(): Promise<void> {
    await this.packet('Close-Session', { 'bits-session-id': this.session as string });
    this.session = undefined;
  }

  /** 3.1.5.1.6 STATE_CANCEL, best effort, after a failure: frees what the server holds for the session. */
  async cancelSession(): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;
    const { request } = await undici();
    await request(this.url, {
      dispatcher: this.dispatcher,
      method: 'BITS_POST',
      headers: { ...this.headers, 'bits-packet-type': 'Cancel-Session', 'bits-session-id': session, 'content-length': '0' },
      signal: AbortSignal.timeout(5000),
    })
      .then((res) => res.body.dump())
      .catch(() => undefined);
  }
}

async function run(u: Upload, retry: CheckedRetry, replyPath: string | undefined): Promise<HttpUploadResult> {
  let failures = 0;
  let pinged = false;
  let acked = 0;
  for (;;) {
    try {
      if (!pinged) {
        await u.ping();
        pinged = true;
      }
      if (u.session === undefined) await u.createSession();
      await u.fragments();
      if (replyPath !== undefined) {
        // 3.1.5.2.4: in upload-reply mode the last fragment's Ack MUST carry the Reply-URL.
        if (u.replyUrl === undefined) throw invalidResponse(u.place('Fragment'), 'no BITS-Reply-URL after the last fragment of an upload-reply');
        // 3.1.5.1.8 STATE_GET_REPLY: downloading the reply is the higher layer's job; ours is httpDownload.
        await httpDownload(new URL(u.replyUrl, u.url).href, replyPath, { signal: u.control.signal, headers: u.headers, retry });
      }
      await u.closeSession();
      u.progress.report(u.total, u.total, true);
      return replyPath === undefined ? { bytesTransferred: u.total, bytesTotal: u.total } : { bytesTransferred: u.total, bytesTotal: u.total, replyPath };
    } catch (e) {
      u.control.throwIfStopped();
      if (e instanceof ListenerFailure) throw e.error;
      // The retry budget is for failures without progress: an offset acked further than ever before resets it.
      if (u.offset > acked) {
        acked = u.offset;
        failures = 0;
      }
      if (e instanceof SessionLost) {
        // 3.1.5.1.7: BG_E_SESSION_NOT_FOUND sends the client back to CREATE-SESSION, from byte 0.
        u.session = undefined;
        continue;
      }
      const err = e instanceof FallbackError ? e : networkError(e, u.place('Fragment'));
      if (!err.transient || failures >= retry.attempts) throw err;
      await u.control.sleep(retryDelay(err, failures++, retry));
    }
  }
}

/**
 * Uploads `localPath` to `remoteUrl` with the BITS Upload Protocol over plain
 * HTTP(S), without BITS: the `fallback` path of upload(). With `replyPath`, an
 * upload-reply: the server application's reply is stored there. Failures are
 * BitsErrors carrying the server's BITS-Error and its context.
 */
export async function httpUpload(remoteUrl: string, localPath: string, options: HttpUploadOptions = {}): Promise<HttpUploadResult> {
  // The protocol's own headers are the client's to set; a caller's copy, in any case, is dropped.
  const headers = Object.fromEntries(Object.entries(checkCommon(remoteUrl, localPath, options)).filter(([name]) => !/^(bits-|content-)/i.test(name)));
  const retry = checkRetry(options.retry);
  if (options.replyPath !== undefined && (typeof options.replyPath !== 'string' || options.replyPath === '')) throw new TypeError('options.replyPath must be a non-empty string');
  const fragmentSize = options.fragmentSize ?? 8 << 20;
  if (!Number.isSafeInteger(fragmentSize) || fragmentSize < MIN_FRAGMENT || fragmentSize > 1 << 30) throw new RangeError(`options.fragmentSize must be an integer from ${MIN_FRAGMENT} to 2^30`);
  const local = path.resolve(localPath);
  const replyPath = options.replyPath === undefined ? undefined : path.resolve(options.replyPath);
  const control = new Control(options.signal, options.timeoutMs);
  const place: Place = { method: 'BITS_POST Create-Session', remoteName: remoteUrl, localName: local };
  let file: FileHandle;
  try {
    file = await open(local, 'r');
  } catch (e) {
    control.dispose();
    throw localFileError(e, place);
  }
  let upload: Upload | undefined;
  try {
    const total = (await file.stat()).size;
    // A fragment carries at least one byte: Content-Range (RFC 9110 14.4) cannot name an empty range.
    if (total === 0) throw new RangeError('an empty file cannot be uploaded with the BITS Upload Protocol');
    const dispatcher = await fallbackDispatcher();
    upload = new Upload(remoteUrl, local, file, total, headers, control, new Progress(options.onProgress), dispatcher, fragmentSize);
    return await run(upload, retry, replyPath);
  } catch (e) {
    await upload?.cancelSession();
    throw e;
  } finally {
    control.dispose();
    await file.close().catch(() => undefined);
  }
}
