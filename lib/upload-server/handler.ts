// createUploadHandler: the BITS Upload Protocol's server side as a connect-style
// (req, res, next) handler. Each packet is checked (packet.ts), authorised, then
// run under its session's lock, so packets of one session take turns while
// sessions run side by side. A Fragment is acked only once its bytes and the
// state naming them are on disk; the last one renames the file into `directory`
// (under a lock per name) and runs onUpload, exactly once per success, before
// its ack. Anything that is not a BITS
// packet or a reply download goes to `next` (or gets 404/405 standing alone).
import { randomUUID } from 'node:crypto';
import { open, rename, truncate } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

import { Destinations } from './destination.js';
import { FragmentWriteError, StalledBodyError, receiveFragment } from './fragment.js';
import { pathFromUrl, unsafePathReason } from './names.js';
import { resolveOptions } from './options.js';
import { QUOTA_RETRY_AFTER_S, QuotaError, Quotas } from './quota.js';
import type { ResolvedOptions, UploadEvent, UploadServerOptions } from './options.js';
import { BITS_PROTOCOL, CONTEXT, HRESULT, PacketError, ack, fragmentRange, hex, isBitsPost, offersProtocol, packetType, refuse, requireNoBody, sessionId } from './packet.js';
import type { FragmentRange } from './packet.js';
import { REPLY_PATH, replyUrl, sendReply } from './reply.js';
import { LockBusyError } from './session-lock.js';
import { SessionStore, syncFolder, writeFileAtomic } from './store.js';
import type { SessionState } from './store.js';

/** A connect-style request handler (Express, Connect, or plain node:http when `next` is absent). */
export type UploadHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

const notFound = (): PacketError => new PacketError(500, HRESULT.BG_E_SESSION_NOT_FOUND, 'no such session (unknown or expired)');
const tooManySessions = (): PacketError => new PacketError(503, HRESULT.BUSY, 'too many open sessions', CONTEXT.server, { 'Retry-After': String(QUOTA_RETRY_AFTER_S) });
const forbidden = (): PacketError => new PacketError(403, HRESULT.E_ACCESSDENIED, 'not authorised');

/** The HRESULT an onUpload error carries (a numeric `hresult` property), else E_FAIL. */
function hresultOf(e: unknown): number {
  const h = (e as { hresult?: unknown } | null)?.hresult;
  return typeof h === 'number' && Number.isInteger(h) && h < 0x1_0000_0000 && h >= -0x8000_0000 ? h >>> 0 : HRESULT.E_FAIL;
}

/** The HTTP status an onUpload error carries (`status` or `statusCode`, 400-599), else 500. */
function statusOf(e: unknown): number {
  const err = e as { status?: unknown; statusCode?: unknown } | null;
  const s = err?.status ?? err?.statusCode;
  return typeof s === 'number' && Number.isInteger(s) && s >= 400 && s <= 599 ? s : 500;
}

/** A failed write of a fragment as an error ack: a full disk may empty (507, transient); a size limit stays (400, final). */
function writeFailure(e: FragmentWriteError): PacketError {
  const code = e.cause.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new PacketError(507, HRESULT.DISK_FULL, e.message);
  if (code === 'EFBIG') return new PacketError(400, HRESULT.FILE_TOO_LARGE, e.message);
  return new PacketError(500, code === 'EIO' ? HRESULT.IO_DEVICE : HRESULT.E_FAIL, e.message);
}

/**
 * Another process held the session's (or the name's) lock for the whole wait: a transient 503.
 * Microsoft's "Handling Server Application Errors": 5xx other than 501 and 505 are transient, so
 * BITS ([MC-BUP] 3.1.5.2.1) sends the packet again later; Retry-After (RFC 9110 10.2.3) says when.
 */
function lockBusy(e: LockBusyError): PacketError {
  return new PacketError(503, HRESULT.BUSY, e.message, CONTEXT.server, { 'Retry-After': '1' });
}

class Uploads {
  readonly store: SessionStore;
  readonly destinations: Destinations;
  readonly quotas: Quotas;
  constructor(readonly o: ResolvedOptions) {
    this.store = new SessionStore(o.directory, o.sessionTimeoutMs, Math.min(o.emptySessionTimeoutMs, o.sessionTimeoutMs), o.lockWaitMs);
    this.quotas = new Quotas(o.quotas, () => this.store.list());
    this.destinations = new Destinations(o.directory, o.overwrite);
  }

  /** Tells onEvent; a listener that throws changes no answer (its error becomes a process warning). */
  emit(event: UploadEvent): void {
    try {
      this.o.onEvent(event);
    } catch (e) {
      process.emitWarning(`upload server: onEvent threw on ${event.type}: ${e instanceof Error ? e.message : String(e)}`, 'UploadServerWarning');
    }
  }

  async principal(req: IncomingMessage): Promise<string> {
    const who = await this.o.authorize(req);
    if (typeof who === 'string') return who;
    if (typeof who === 'object' && who !== null) {
      const challenges = typeof who.challenge === 'string' ? [who.challenge] : [...who.challenge];
      if (challenges.length === 0 || challenges.some((c) => typeof c !== 'string' || c === '' || /[\r\n]/.test(c))) throw new TypeError('authorize: challenge must be one or more WWW-Authenticate values');
      // RFC 7235 4.1: a 401 carries the challenges; one WWW-Authenticate header each.
      throw new PacketError(401, HRESULT.HTTP_401, 'credentials required', CONTEXT.server, { 'WWW-Authenticate': challenges });
    }
    throw forbidden();
  }

  /** Finds the session as it is on disk now and checks it is the caller's; runs under the session's lock. */
  async owned(id: string, principal: string): Promise<SessionState> {
    const s = await this.store.get(id);
    if (!s) throw notFound();
    if (s.principal !== principal) throw forbidden();
    return s;
  }

  async packet(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let id: string | undefined;
    let type: string | undefined;
    let principal: string | undefined;
    try {
      type = packetType(req);
      if (type !== 'fragment') requireNoBody(req);
      if (type !== 'ping' && type !== 'create-session') id = sessionId(req);
      principal = await this.principal(req);
      const range = type === 'fragment' ? fragmentRange(req) : undefined;
      await this.store.ready();
      if (type === 'ping') return ack(res, {});
      if (type === 'create-session') return await this.create(req, res, principal);
      const sid = id as string;
      const who = principal;
      const closing = type === 'close-session';
      await this.store.withLock(sid, async () => {
        const s = await this.owned(sid, who);
        if (range) return this.fragment(req, res, s, range);
        await this.store.remove(sid);
        this.emit(closing ? { type: 'session-closed', sessionId: `{${sid}}`, finished: s.finished } : { type: 'session-cancelled', sessionId: `{${sid}}` });
        ack(res, { 'BITS-Session-Id': `{${sid}}` });
      });
    } catch (e) {
      const stalled = e instanceof StalledBodyError;
      // The client went away mid-body (Node fails the read with ECONNRESET): nobody to answer.
      // A body that ended short while complete (IncompleteBodyError) was read by something
      // before the handler; that client is still waiting, so it is refused below.
      if (req.destroyed && !req.complete && !stalled) {
        res.destroy();
        return;
      }
      let err: PacketError;
      if (e instanceof PacketError) err = e;
      else if (e instanceof FragmentWriteError) err = writeFailure(e);
      else if (stalled) err = new PacketError(408, HRESULT.E_FAIL, e.message);
      else if (e instanceof LockBusyError) err = lockBusy(e);
      else err = new PacketError(500, HRESULT.E_FAIL, e instanceof Error ? e.message : String(e));
      if (e instanceof QuotaError) this.emit({ type: 'quota-exceeded', ...e.refusal, code: hex(e.refusal.code) });
      const event = { type: 'refused' as const, status: err.status, code: hex(err.hresult), message: err.message };
      this.emit(id === undefined ? event : { ...event, sessionId: `{${id}}` });
      if (stalled || res.headersSent) {
        res.destroy();
        return;
      }
      // [MC-BUP] 2.2.7.2: every Ack for Fragment carries BITS-Received-Content-Range (MUST).
      if (type === 'fragment' && err.headers['BITS-Received-Content-Range'] === undefined) {
        const s = id === undefined ? undefined : await this.store.get(id).catch(() => undefined);
        err.headers['BITS-Received-Content-Range'] = String(s && s.principal === principal ? s.received : 0);
      }
      refuse(res, err, id);
    }
  }

  async create(req: IncomingMessage, res: ServerResponse, principal: string): Promise<void> {
    if (!offersProtocol(req)) throw new PacketError(400, HRESULT.E_INVALIDARG, 'no supported protocol offered');
    let name: string | null;
    try {
      name = this.o.fileName ? await this.o.fileName(req) : pathFromUrl(req.url ?? '/');
    } catch (e) {
      // fileName throwing is its way of refusing the name.
      throw new PacketError(400, HRESULT.E_INVALIDARG, `fileName refused: ${e instanceof Error ? e.message : String(e)}`);
    }
    const reason = unsafePathReason(name);
    if (reason !== null || name === null) throw new PacketError(400, HRESULT.E_INVALIDARG, reason ?? 'no file name in the URL');
    if (this.store.count() >= this.o.maxSessions) throw tooManySessions();
    const target = await this.destinations.prepare(name);
    await this.destinations.check(name, principal, target);
    const id = randomUUID();
    const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const state: SessionState = { version: 1, id, principal, name, url, total: null, received: 0, touched: Date.now(), finished: false, notified: false, failure: null, reply: false };
    // Counted again with no await before create(), which takes the slot synchronously:
    // Create-Sessions that passed the check above together cannot all take the last slot.
    if (this.store.count() >= this.o.maxSessions) throw tooManySessions();
    this.quotas.admitSession(principal);
    await this.store.create(state);
    this.emit({ type: 'session-created', sessionId: `{${id}}`, principal, name });
    // "Ack for Create-Session" page: BITS-Host-Id (and its fallback timeout) only when configured.
    ack(res, { 'BITS-Protocol': BITS_PROTOCOL, 'BITS-Session-Id': `{${id}}`, ...this.o.hostHeaders, 'Accept-Encoding': 'Identity' });
  }

  async fragment(req: IncomingMessage, res: ServerResponse, s: SessionState, range: FragmentRange): Promise<void> {
    const { first, last, total } = range;
    const length = last - first + 1;
    const received = { 'BITS-Received-Content-Range': String(s.received) };
    if (s.total !== null && s.total !== total) throw new PacketError(400, HRESULT.E_INVALIDARG, `total ${total} differs from the session's ${s.total}`, CONTEXT.server, received);
    // Not 413: [MC-BUP] 3.1.5.2.4 has the client answer 413 with smaller fragments, which
    // cannot help a file over the limit. BG_E_TOO_LARGE is final (3.1.5.2.1).
    if (total > this.o.maxFileSize) throw new PacketError(400, HRESULT.BG_E_TOO_LARGE, `file of ${total} bytes over maxFileSize`, CONTEXT.server, received);
    if (length > this.o.maxFragmentSize) throw new PacketError(413, HRESULT.HTTP_413, `fragment of ${length} bytes over maxFragmentSize`, CONTEXT.server, received);
    if (first > s.received) throw new PacketError(416, HRESULT.HTTP_416, `fragment starts at ${first}, expected ${s.received}`, CONTEXT.server, received);
    const release = this.quotas.reserve(s, total, received);
    let state = s;
    try {
      await receiveFragment(req, this.store.dataPath(s.id), first, length, s.received, this.o.fragmentTimeoutMs);
      if (last + 1 > s.received || s.total === null) {
        state = { ...s, total, received: Math.max(s.received, last + 1) };
        await this.store.save(state);
        this.emit({ type: 'fragment', sessionId: `{${s.id}}`, received: state.received, total });
      }
    } catch (e) {
      // A failed first fragment keeps no reservation, so it keeps none of its (unacked) bytes either.
      if (s.total === null) await truncate(this.store.dataPath(s.id), 0).catch(() => undefined);
      throw e;
    } finally {
      release(); // the saved state holds the total now, or the fragment failed
    }
    const headers: Record<string, string> = { 'BITS-Session-Id': `{${s.id}}`, 'BITS-Received-Content-Range': String(state.received) };
    let transient: PacketError | undefined;
    if (state.received === total) {
      try {
        ({ state, transient } = await this.store.withNameLock(this.destinations.key(s.name), () => this.finish(state)));
      } catch (e) {
        if (e instanceof PacketError) Object.assign(e.headers, headers);
        throw e;
      }
    }
    if (state.reply) headers['BITS-Reply-URL'] = replyUrl(req, s.id);
    if (transient) throw new PacketError(transient.status, transient.hresult, transient.message, CONTEXT.application, headers);
    if (state.failure) throw new PacketError(state.failure.status ?? 500, state.failure.hresult, state.failure.message, CONTEXT.application, headers);
    ack(res, headers);
  }

  /**
   * Renames the file into place and runs onUpload; each step once, resumable after a crash.
   * Runs under the name's lock, so a second session finishing the same name waits until
   * this one's onUpload has returned: onUpload never sees another session's bytes.
   */
  async finish(s: SessionState): Promise<{ state: SessionState; transient?: PacketError }> {
    let state = s;
    const size = s.total ?? 0;
    const data = this.store.dataPath(s.id);
    const target = await this.destinations.prepare(s.name);
    if (!state.finished) {
      const fh = await open(data, 'r+').catch((e: unknown) => {
        // Renamed before a crash, with the state not yet saved: the data is already at `target`.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      });
      if (fh) {
        try {
          await this.destinations.check(s.name, s.principal, target);
          // Bytes past the total (written, never acked, before a crash) must not stay.
          await fh.truncate(size);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await this.destinations.claim(s.name, s.principal);
        await rename(data, target);
        await syncFolder(path.dirname(target));
      }
      state = { ...state, finished: true };
      await this.store.save(state);
      this.emit({ type: 'upload-finished', sessionId: `{${s.id}}`, path: target, size, principal: s.principal });
    }
    if (!state.notified) {
      let reply = false;
      try {
        const result = await this.o.onUpload?.({ sessionId: `{${s.id}}`, path: target, size, url: s.url, principal: s.principal });
        if (result?.reply !== undefined) {
          if (!Buffer.isBuffer(result.reply)) throw new TypeError('onUpload: reply must be a Buffer');
          await writeFileAtomic(this.store.replyPath(s.id), result.reply);
          reply = true;
        }
      } catch (e) {
        const status = statusOf(e);
        const failure = { hresult: hresultOf(e), message: e instanceof Error ? e.message : String(e), status };
        this.emit({ type: 'callback-failed', sessionId: `{${s.id}}`, status, message: failure.message });
        // A 5xx is transient for BITS: the client resends the last fragment, and onUpload runs again.
        if (status >= 500) return { state, transient: new PacketError(status, failure.hresult, failure.message, CONTEXT.application) };
        state = { ...state, notified: true, failure, reply };
        await this.store.save(state);
        return { state };
      }
      state = { ...state, notified: true, failure: null, reply };
      await this.store.save(state);
    }
    return { state };
  }

  async reply(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    let principal: string;
    try {
      principal = await this.principal(req);
    } catch (e) {
      const challenge = e instanceof PacketError && e.status === 401 ? e.headers : {};
      res.writeHead(e instanceof PacketError && e.status === 401 ? 401 : 403, { ...challenge, 'Content-Length': '0' }).end();
      return;
    }
    await this.store.ready();
    const s = await this.store.get(id);
    if (!s?.reply || s.principal !== principal) {
      res.writeHead(404, { 'Content-Length': '0' }).end();
      return;
    }
    await sendReply(req, res, this.store.replyPath(id));
  }
}

/**
 * A connect-style handler that receives BITS uploads into `options.directory`.
 * Mount it with `app.use('/uploads', handler)` and pass the server through
 * {@link acceptBitsPost}, or use {@link createUploadServer}. Options are checked
 * at once (TypeError, RangeError).
 */
export function createUploadHandler(options: UploadServerOptions): UploadHandler {
  const uploads = new Uploads(resolveOptions(options));
  return (req, res, next) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const reply = REPLY_PATH.exec(pathname);
    let work: Promise<void>;
    if (isBitsPost(req)) work = uploads.packet(req, res);
    else if (reply?.[1] && (req.method === 'GET' || req.method === 'HEAD')) work = uploads.reply(req, res, reply[1]);
    else if (next) return next();
    else {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, { Allow: 'BITS_POST, GET, HEAD', 'Content-Length': '0' }).end();
      return;
    }
    work.catch((e: unknown) => {
      if (next) next(e);
      else if (!res.headersSent) res.writeHead(500, { 'Content-Length': '0' }).end();
      else res.destroy();
    });
  };
}
