// createUploadHandler: the BITS Upload Protocol's server side as a connect-style
// (req, res, next) handler. Each packet is checked (packet.ts), authorised, then
// run under its session's lock, so packets of one session take turns while
// sessions run side by side. A Fragment is acked only once its bytes and the
// state naming them are on disk; the last one renames the file into `directory`
// and runs onUpload, exactly once, before its ack. Anything that is not a BITS
// packet or a reply download goes to `next` (or gets 404/405 standing alone).
import { randomUUID } from 'node:crypto';
import { rename } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { receiveFragment } from './fragment.js';
import { finalPath, nameFromUrl, unsafeNameReason } from './names.js';
import { resolveOptions } from './options.js';
import type { ResolvedOptions, UploadServerOptions } from './options.js';
import { BITS_PROTOCOL, CONTEXT, HRESULT, PacketError, ack, fragmentRange, hex, isBitsPost, offersProtocol, packetType, refuse, requireNoBody, sessionId } from './packet.js';
import { REPLY_PATH, replyUrl, sendReply } from './reply.js';
import { SessionStore, syncFolder, writeFileAtomic } from './store.js';
import type { SessionState } from './store.js';

/** A connect-style request handler (Express, Connect, or plain node:http when `next` is absent). */
export type UploadHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

const notFound = (): PacketError => new PacketError(500, HRESULT.BG_E_SESSION_NOT_FOUND, 'no such session (unknown or expired)');
const forbidden = (): PacketError => new PacketError(403, HRESULT.E_ACCESSDENIED, 'not authorised');

/** The HRESULT an onUpload error carries (a numeric `hresult` property), else E_FAIL. */
function hresultOf(e: unknown): number {
  const h = (e as { hresult?: unknown } | null)?.hresult;
  return typeof h === 'number' && Number.isInteger(h) && h < 0x1_0000_0000 && h >= -0x8000_0000 ? h >>> 0 : HRESULT.E_FAIL;
}

class Uploads {
  readonly store: SessionStore;
  constructor(readonly o: ResolvedOptions) {
    this.store = new SessionStore(o.directory, o.sessionTimeoutMs);
  }

  async principal(req: IncomingMessage): Promise<string> {
    const who = await this.o.authorize(req);
    if (typeof who !== 'string') throw forbidden();
    return who;
  }

  /** Finds the session and checks it is the caller's; runs under the session's lock. */
  owned(id: string, principal: string): SessionState {
    const s = this.store.get(id);
    if (!s) throw notFound();
    if (s.principal !== principal) throw forbidden();
    return s;
  }

  async packet(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let id: string | undefined;
    try {
      const type = packetType(req);
      if (type !== 'fragment') requireNoBody(req);
      if (type !== 'ping' && type !== 'create-session') id = sessionId(req);
      const range = type === 'fragment' ? fragmentRange(req) : undefined;
      const principal = await this.principal(req);
      await this.store.ready();
      if (type === 'ping') return ack(res, {});
      if (type === 'create-session') return await this.create(req, res, principal);
      const sid = id as string;
      await this.store.withLock(sid, async () => {
        const s = this.owned(sid, principal);
        if (range) return this.fragment(req, res, s, range);
        await this.store.remove(sid);
        this.o.onEvent(type === 'close-session' ? { type: 'session-closed', sessionId: `{${sid}}`, finished: s.finished } : { type: 'session-cancelled', sessionId: `{${sid}}` });
        ack(res, { 'BITS-Session-Id': `{${sid}}` });
      });
    } catch (e) {
      // The client went away mid-body (Node fails the read with ECONNRESET): nobody to answer.
      // A body that ended short while complete (IncompleteBodyError) was read by something
      // before the handler; that client is still waiting, so it is refused below.
      if (req.destroyed && !req.complete) {
        res.destroy();
        return;
      }
      const err = e instanceof PacketError ? e : new PacketError(500, HRESULT.E_FAIL, e instanceof Error ? e.message : String(e));
      const event = { type: 'refused' as const, status: err.status, code: hex(err.hresult), message: err.message };
      this.o.onEvent(id === undefined ? event : { ...event, sessionId: `{${id}}` });
      if (!res.headersSent) refuse(res, err, id);
      else res.destroy();
    }
  }

  async create(req: IncomingMessage, res: ServerResponse, principal: string): Promise<void> {
    if (!offersProtocol(req)) throw new PacketError(400, HRESULT.E_INVALIDARG, 'no supported protocol offered');
    let name: string | null;
    try {
      name = this.o.fileName ? await this.o.fileName(req) : nameFromUrl(req.url ?? '/');
    } catch (e) {
      // fileName throwing is its way of refusing the name.
      throw new PacketError(400, HRESULT.E_INVALIDARG, `fileName refused: ${e instanceof Error ? e.message : String(e)}`);
    }
    const reason = unsafeNameReason(name);
    if (reason !== null || name === null) throw new PacketError(400, HRESULT.E_INVALIDARG, reason ?? 'no file name in the URL');
    if (this.store.count() >= this.o.maxSessions) throw new PacketError(503, HRESULT.BUSY, 'too many open sessions');
    const id = randomUUID();
    const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const state: SessionState = { version: 1, id, principal, name, url, total: null, received: 0, touched: Date.now(), finished: false, notified: false, failure: null, reply: false };
    await this.store.create(state);
    this.o.onEvent({ type: 'session-created', sessionId: `{${id}}`, principal, name });
    ack(res, { 'BITS-Protocol': BITS_PROTOCOL, 'BITS-Session-Id': `{${id}}`, 'Accept-Encoding': 'Identity' });
  }

  async fragment(req: IncomingMessage, res: ServerResponse, s: SessionState, range: { first: number; last: number; total: number }): Promise<void> {
    const { first, last, total } = range;
    const length = last - first + 1;
    if (s.total !== null && s.total !== total) throw new PacketError(400, HRESULT.E_INVALIDARG, `total ${total} differs from the session's ${s.total}`);
    if (total > this.o.maxFileSize) throw new PacketError(413, HRESULT.BG_E_TOO_LARGE, `file of ${total} bytes over maxFileSize`);
    if (length > this.o.maxFragmentSize) throw new PacketError(413, HRESULT.BG_E_TOO_LARGE, `fragment of ${length} bytes over maxFragmentSize`);
    if (first > s.received) throw new PacketError(416, 0, `fragment starts at ${first}, expected ${s.received}`, CONTEXT.server, { 'BITS-Received-Content-Range': String(s.received) });
    await receiveFragment(req, this.store.dataPath(s.id), first, length, s.received);
    let state = s;
    if (last + 1 > s.received) {
      state = { ...s, total, received: last + 1 };
      await this.store.save(state);
      this.o.onEvent({ type: 'fragment', sessionId: `{${s.id}}`, received: state.received, total });
    }
    if (state.received === total) state = await this.finish(state);
    const headers: Record<string, string> = { 'BITS-Session-Id': `{${s.id}}`, 'BITS-Received-Content-Range': String(state.received) };
    if (state.reply) headers['BITS-Reply-URL'] = replyUrl(req, s.id);
    if (state.failure) throw new PacketError(500, state.failure.hresult, state.failure.message, CONTEXT.application, headers);
    ack(res, headers);
  }

  /** Renames the file into place and runs onUpload; each step once, resumable after a crash. */
  async finish(s: SessionState): Promise<SessionState> {
    let state = s;
    const target = finalPath(this.o.directory, s.name);
    const size = s.total ?? 0;
    if (!state.finished) {
      try {
        await rename(this.store.dataPath(s.id), target);
      } catch (e) {
        // Renamed before a crash, with the state not yet saved: the data is already at `target`.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      await syncFolder(this.o.directory);
      state = { ...state, finished: true };
      await this.store.save(state);
      this.o.onEvent({ type: 'upload-finished', sessionId: `{${s.id}}`, path: target, size, principal: s.principal });
    }
    if (!state.notified) {
      let failure: SessionState['failure'] = null;
      let reply = false;
      try {
        const result = await this.o.onUpload?.({ sessionId: `{${s.id}}`, path: target, size, url: s.url, principal: s.principal });
        if (result?.reply !== undefined) {
          if (!Buffer.isBuffer(result.reply)) throw new TypeError('onUpload: reply must be a Buffer');
          await writeFileAtomic(this.store.replyPath(s.id), result.reply);
          reply = true;
        }
      } catch (e) {
        failure = { hresult: hresultOf(e), message: e instanceof Error ? e.message : String(e) };
        this.o.onEvent({ type: 'callback-failed', sessionId: `{${s.id}}`, message: failure.message });
      }
      state = { ...state, notified: true, failure, reply };
      await this.store.save(state);
    }
    return state;
  }

  async reply(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    let principal: string;
    try {
      principal = await this.principal(req);
    } catch {
      res.writeHead(403, { 'Content-Length': '0' }).end();
      return;
    }
    await this.store.ready();
    const s = this.store.get(id);
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
