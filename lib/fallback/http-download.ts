// Download over plain HTTP, for when BITS cannot run: the bytes go to
// `dest.partial`, are fsynced, and only a body of the announced length is renamed
// onto `dest`. A partial file left by an earlier call, or by a process that was
// killed, is resumed with Range + If-Range (RFC 9110 14.2, 13.1.5) when its
// sidecar names the same URL and a validator; a changed entity or a server
// without ranges sends the whole body again, which replaces the partial. Transient
// failures (BITS's own split of HTTP statuses, network errors, a short body) are
// retried with exponential backoff and jitter, honouring Retry-After. An abort or
// a timeout keeps the partial for the next call; 404 and 410 remove it.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import path from 'node:path';

import type { Dispatcher } from 'undici';

import { fallbackDispatcher, undici } from './agent.js';
import { Control, ListenerFailure, Progress, checkCommon, checkRetry, retryDelay } from './control.js';
import type { CheckedRetry, HttpProgress, RetryOptions } from './control.js';
import { BG_E_CONNECTION_CLOSED, FallbackError, httpStatusError, invalidResponse, localFileError, networkError } from './http-errors.js';
import type { Place } from './http-errors.js';
import { finishPartial, ifRangeValidator, partialPath, readPartial, removePartial, resumeOffset, writeMeta } from './partial.js';
import type { PartialMeta } from './partial.js';

export type { HttpProgress, RetryOptions } from './control.js';

/** Options of the plain-HTTP transfers. */
export interface HttpTransferOptions {
  /** Aborts: rejects with AbortError. A download keeps its `.partial` file, which the next call resumes. */
  signal?: AbortSignal;
  /** The whole transfer's deadline, retries included: rejects with TimeoutError (the `.partial` stays). */
  timeoutMs?: number;
  /** Progress, never going back; at most every 100 ms and once at the end. */
  onProgress?: (p: HttpProgress) => void;
  /** Extra request headers, sent with every request of the transfer. */
  headers?: Readonly<Record<string, string>>;
  /** How transient failures are retried. */
  retry?: RetryOptions;
}

/** What a finished plain-HTTP transfer reports. */
export interface HttpTransferResult {
  /** Bytes of the file transferred, those resumed from an earlier call included. */
  bytesTransferred: number;
  /** The file's size. */
  bytesTotal: number;
}

type Headers = Record<string, string | string[] | undefined>;

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** `bytes first-last/total` of a 206 (RFC 9110 14.4); total null for `*`. */
function contentRange(value: string | undefined): { first: number; last: number; total: number | null } | null {
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value ?? '');
  if (!m?.[1] || !m[2] || !m[3]) return null;
  const r = { first: Number(m[1]), last: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
  return r.last < r.first || (r.total !== null && r.last >= r.total) ? null : r;
}

/** The size of a 416's `bytes * /total`. */
function unsatisfiedTotal(value: string | undefined): number | null {
  const m = /^\s*bytes\s+\*\/(\d+)\s*$/i.exec(value ?? '');
  return m?.[1] ? Number(m[1]) : null;
}

function contentLength(headers: Headers): number | null {
  const v = one(headers['content-length']);
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
}

const OWN_HEADERS = new Set(['range', 'if-range', 'accept-encoding']);

/** A write to the partial that failed (disk full, ...): a local-file error, not a transport one. */
class LocalFailure extends Error {
  constructor(readonly error: unknown) {
    super('a write to the partial file failed');
  }
}

/**
 * Gathers the body's chunks (64 KiB at most each, from the socket) into writes
 * of about 1 MiB, one write in flight while the next batch fills, so the disk
 * and the network overlap and the number of writes stays small. Memory held:
 * two batches.
 */
class BatchWriter {
  #batch: Buffer[] = [];
  #bytes = 0;
  #inflight: Promise<void> | undefined;
  #received: number;
  written: number;
  constructor(
    readonly file: FileHandle,
    start: number,
    readonly onWritten: (written: number) => void,
  ) {
    this.#received = start;
    this.written = start;
  }

  async add(chunk: Buffer): Promise<void> {
    this.#batch.push(chunk);
    this.#bytes += chunk.length;
    if (this.#bytes >= 1 << 20) await this.#send();
  }

  async flush(): Promise<void> {
    if (this.#bytes > 0) await this.#send();
    await this.#inflight;
  }

  async #send(): Promise<void> {
    await this.#inflight;
    const batch = this.#batch;
    const position = this.#received;
    const end = position + this.#bytes;
    this.#received = end;
    this.#batch = [];
    this.#bytes = 0;
    const write = this.#writeAll(batch, position).then(() => {
      this.written = end;
      this.onWritten(this.written);
    });
    // Awaited by the next send or by flush(); marked handled so a failure while the body is read is not "unhandled".
    write.catch(() => undefined);
    this.#inflight = write;
  }

  async #writeAll(buffers: Buffer[], position: number): Promise<void> {
    let list = buffers.slice();
    let at = position;
    while (list.length > 0) {
      let n: number;
      try {
        ({ bytesWritten: n } = await this.file.writev(list, at));
      } catch (e) {
        throw new LocalFailure(e);
      }
      at += n;
      // A short write (rare): go on from the first byte not written.
      while (list.length > 0 && n >= (list[0] as Buffer).length) n -= (list.shift() as Buffer).length;
      if (n > 0 && list.length > 0) list = [(list[0] as Buffer).subarray(n), ...list.slice(1)];
    }
  }
}

/** Starting over is not a failure; it does not use up a retry. */
class StartOver extends Error {}

class Download {
  readonly place: Place;
  constructor(
    readonly url: string,
    readonly dest: string,
    readonly headers: Readonly<Record<string, string>>,
    readonly control: Control,
    readonly progress: Progress,
    readonly dispatcher: Dispatcher,
  ) {
    this.place = { method: 'HTTP GET', remoteName: url, localName: dest };
    // The transfer's own headers win over the caller's, whatever their case.
    this.headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !OWN_HEADERS.has(name.toLowerCase())));
  }

  async attempt(): Promise<HttpTransferResult> {
    const state = await readPartial(this.dest).catch((e: unknown) => Promise.reject(localFileError(e, this.place)));
    const offset = resumeOffset(state, this.url);
    const meta = state.meta;
    // identity: Range offsets and Content-Length are then about the stored bytes.
    const headers: Record<string, string> = { ...this.headers, 'accept-encoding': 'identity' };
    if (offset > 0 && meta) {
      headers.range = `bytes=${offset}-`;
      headers['if-range'] = ifRangeValidator(meta) as string;
    }
    const { request } = await undici();
    const res = await request(this.url, { dispatcher: this.dispatcher, method: 'GET', headers, signal: this.control.signal });
    const h = res.headers;
    if (res.statusCode === 416 && offset > 0) {
      await res.body.dump();
      // The range starts at the end: the partial already holds the whole (unchanged, as If-Range allowed a 416) entity.
      if (unsatisfiedTotal(one(h['content-range'])) === offset) return this.finish(offset);
      await removePartial(this.dest);
      throw new StartOver();
    }
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      await res.body.dump().catch(() => undefined);
      if (res.statusCode === 404 || res.statusCode === 410) await removePartial(this.dest);
      throw httpStatusError(res.statusCode, this.place, h['retry-after']);
    }
    let start = 0;
    let total = contentLength(h);
    if (res.statusCode === 206) {
      const range = contentRange(one(h['content-range']));
      const length = contentLength(h);
      const sizeChanged = range?.total != null && meta?.total != null && range.total !== meta.total;
      if (offset === 0 || !range || range.first !== offset || sizeChanged || (length !== null && length !== range.last - range.first + 1)) {
        await res.body.dump().catch(() => undefined);
        // A range we did not ask for, or not where the partial ends: nothing in the partial can be trusted.
        await removePartial(this.dest);
        if (offset === 0) throw invalidResponse(this.place, '206 to a request without Range');
        throw new StartOver();
      }
      start = offset;
      total = range.total;
    }
    const next: PartialMeta = { version: 1, url: this.url, etag: one(h.etag) ?? null, lastModified: one(h['last-modified']) ?? null, total };
    if (start === 0) await this.saveMeta(next);
    const end = await this.write(res.body, start, total);
    if (total !== null && end !== total) {
      throw new FallbackError({
        hresult: BG_E_CONNECTION_CLOSED,
        method: this.place.method,
        description: `The body ended after ${end} of ${total} bytes`,
        context: 'general-transport',
        protocol: this.url.startsWith('https:') ? 'https' : 'http',
        file: { remoteName: this.url, localName: this.dest },
        transient: true,
      });
    }
    return this.finish(end);
  }

  async saveMeta(meta: PartialMeta): Promise<void> {
    await writeMeta(this.dest, meta).catch((e: unknown) => Promise.reject(localFileError(e, this.place)));
  }

  /** Streams the body into the partial from `start`; returns the offset reached. */
  async write(body: Dispatcher.ResponseData['body'], start: number, total: number | null): Promise<number> {
    let file: FileHandle;
    try {
      // 'w' truncates a partial that is being replaced; 'r+' appends where it ends.
      file = await open(partialPath(this.dest), start === 0 ? 'w' : 'r+');
    } catch (e) {
      body.destroy();
      throw localFileError(e, this.place);
    }
    const writer = new BatchWriter(file, start, (written) => this.progress.report(written, total));
    this.progress.report(start, total);
    try {
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) await writer.add(chunk);
      } catch (e) {
        if (e instanceof ListenerFailure || e instanceof LocalFailure) throw e;
        // The bytes already received are still worth keeping for the next attempt.
        await writer.flush().catch(() => undefined);
        throw networkError(e, this.place);
      }
      await writer.flush();
      await file.sync().catch((e: unknown) => Promise.reject(new LocalFailure(e)));
    } catch (e) {
      body.destroy();
      if (e instanceof LocalFailure) throw localFileError(e.error, this.place);
      throw e;
    } finally {
      await file.close().catch(() => undefined);
    }
    return writer.written;
  }

  async finish(size: number): Promise<HttpTransferResult> {
    await finishPartial(this.dest).catch((e: unknown) => Promise.reject(localFileError(e, this.place)));
    this.progress.report(size, size, true);
    return { bytesTransferred: size, bytesTotal: size };
  }
}

async function run(d: Download, retry: CheckedRetry): Promise<HttpTransferResult> {
  let failures = 0;
  let restarts = 0;
  for (;;) {
    try {
      return await d.attempt();
    } catch (e) {
      d.control.throwIfStopped();
      if (e instanceof ListenerFailure) throw e.error;
      // Two start-overs in a row: the entity keeps changing under us; count it as a failure.
      if (e instanceof StartOver && ++restarts <= 2) continue;
      const err = e instanceof StartOver ? invalidResponse(d.place, 'the file changed on the server while it was downloaded', true) : networkError(e, d.place);
      if (!err.transient || failures >= retry.attempts) throw err;
      await d.control.sleep(retryDelay(err, failures++, retry));
      restarts = 0;
    }
  }
}

/**
 * Downloads `remoteUrl` to `localPath` over plain HTTP(S), without BITS: the
 * `fallback` path of download(). The file appears under its name only when
 * complete. Proxies come from HTTP_PROXY / HTTPS_PROXY / NO_PROXY. Failures are
 * BitsErrors with BITS's codes (`BG_E_HTTP_ERROR_404`, `BG_E_CONNECT_FAILURE`, ...).
 */
export async function httpDownload(remoteUrl: string, localPath: string, options: HttpTransferOptions = {}): Promise<HttpTransferResult> {
  checkCommon(remoteUrl, localPath, options);
  const retry = checkRetry(options.retry);
  const dest = path.resolve(localPath);
  const control = new Control(options.signal, options.timeoutMs);
  try {
    const dispatcher = await fallbackDispatcher();
    return await run(new Download(remoteUrl, dest, options.headers ?? {}, control, new Progress(options.onProgress), dispatcher), retry);
  } finally {
    control.dispose();
  }
}
