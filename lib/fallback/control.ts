// What bounds one fallback transfer in time: the caller's AbortSignal, the
// overall `timeoutMs`, and the retries with their waits. One internal signal
// stops the request in flight, the body being read and a wait between attempts;
// the error thrown is the package's AbortError or TimeoutError, as on the BITS path.
import { clearTimeout, setTimeout } from 'node:timers';

import { AbortError, TimeoutError } from '../errors.js';
import type { FallbackError } from './http-errors.js';

/** How a fallback transfer retries transient failures. */
export interface RetryOptions {
  /** Retries after the first attempt (default 5). 0 turns retrying off. */
  attempts?: number;
  /** The first wait before a retry, doubled after each (default 1000 ms). */
  baseDelayMs?: number;
  /** The longest wait between attempts, also for a server's Retry-After (default 60000 ms). */
  maxDelayMs?: number;
}

/** Retry options with their defaults. @internal */
export interface CheckedRetry {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

function nonNegative(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${name} must be a finite number`);
  if (value < 0 || !Number.isInteger(value)) throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}

/** Checks `options.retry`. @internal */
export function checkRetry(retry: RetryOptions | undefined): CheckedRetry {
  if (retry !== undefined && (typeof retry !== 'object' || (retry as unknown) === null)) throw new TypeError('options.retry must be an object');
  return {
    attempts: nonNegative('options.retry.attempts', retry?.attempts, 5),
    baseDelayMs: nonNegative('options.retry.baseDelayMs', retry?.baseDelayMs, 1000),
    maxDelayMs: nonNegative('options.retry.maxDelayMs', retry?.maxDelayMs, 60_000),
  };
}

/**
 * The wait before retry number `attempt` (0 for the first retry): the server's
 * Retry-After when it gave one, else exponential backoff with "equal jitter"
 * (half fixed, half random, so concurrent clients spread out); both capped at
 * maxDelayMs. @internal
 */
export function retryDelay(error: FallbackError, attempt: number, retry: CheckedRetry, random: () => number = Math.random): number {
  if (error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, retry.maxDelayMs);
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The stop conditions of one transfer. Call dispose() when it ends. @internal */
export class Control {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #user: AbortSignal | undefined;
  readonly #onUserAbort = (): void => this.#controller.abort(new AbortError(undefined, { cause: this.#user?.reason }));

  constructor(signal: AbortSignal | undefined, timeoutMs: number | undefined) {
    this.#user = signal;
    if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
    signal?.addEventListener('abort', this.#onUserAbort, { once: true });
    if (timeoutMs !== undefined) {
      this.#timer = setTimeout(() => {
        const e = new TimeoutError(`The transfer did not finish within ${timeoutMs} ms`);
        this.#controller.abort(e);
      }, timeoutMs);
    }
  }

  /** Aborted by the caller or by the deadline. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Throws the AbortError or TimeoutError once stopped; otherwise returns. */
  throwIfStopped(): void {
    if (this.#controller.signal.aborted) throw this.#controller.signal.reason as Error;
  }

  /** Waits `ms`, or throws as soon as the transfer is stopped. */
  sleep(ms: number): Promise<void> {
    this.throwIfStopped();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(this.#controller.signal.reason as Error);
      };
      const timer = setTimeout(() => {
        this.#controller.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      this.#controller.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#user?.removeEventListener('abort', this.#onUserAbort);
  }
}

/** Checks the options every fallback transfer shares, before any request. @internal */
export function checkCommon(remoteUrl: unknown, localPath: unknown, options: unknown): void {
  if (typeof remoteUrl !== 'string') throw new TypeError('remoteUrl must be a string');
  let url: URL;
  try {
    url = new URL(remoteUrl);
  } catch {
    throw new RangeError(`remoteUrl is not a URL: ${JSON.stringify(remoteUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`remoteUrl must be http or https, not ${url.protocol}`);
  if (typeof localPath !== 'string' || localPath === '') throw new TypeError('localPath must be a non-empty string');
  if (localPath.includes('\0')) throw new RangeError('localPath holds a NUL character');
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const o = options as Record<string, unknown>;
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new TypeError('options.onProgress must be a function');
  if (o.timeoutMs !== undefined) {
    if (typeof o.timeoutMs !== 'number' || !Number.isFinite(o.timeoutMs)) throw new TypeError('options.timeoutMs must be a finite number');
    if (o.timeoutMs <= 0 || o.timeoutMs > 2_147_483_647) throw new RangeError('options.timeoutMs must be between 1 and 2147483647');
  }
  if (o.headers !== undefined) {
    if (typeof o.headers !== 'object' || o.headers === null || Array.isArray(o.headers)) throw new TypeError('options.headers must be an object of name: value');
    for (const [name, value] of Object.entries(o.headers)) {
      if (typeof value !== 'string') throw new TypeError(`options.headers[${JSON.stringify(name)}] must be a string`);
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new RangeError(`options.headers: ${JSON.stringify(name)} is not a header name`);
      if (/[\r\n\0]/.test(value)) throw new RangeError(`options.headers[${JSON.stringify(name)}] holds a line break or NUL`);
    }
  }
}

/** A progress snapshot of a fallback transfer. */
export interface HttpProgress {
  /** Bytes of the file transferred so far (resumed bytes included). */
  bytesTransferred: number;
  /** The file's size, or null while the server has not said. */
  bytesTotal: number | null;
}

/**
 * Calls onProgress at most every `intervalMs` and once more at the end, never
 * with fewer bytes than before: when a download has to start over (the file
 * changed on the server) the count holds until the new body passes it. @internal
 */
export class Progress {
  #last = -1;
  #lastTotal: number | null = null;
  #at = 0;
  constructor(
    readonly callback: ((p: HttpProgress) => void) | undefined,
    readonly intervalMs = 100,
  ) {}

  report(bytesTransferred: number, bytesTotal: number | null, final = false): void {
    if (!this.callback || bytesTransferred < this.#last) return;
    if (bytesTransferred === this.#last && bytesTotal === this.#lastTotal) return;
    const now = Date.now();
    if (!final && this.#last >= 0 && now - this.#at < this.intervalMs) return;
    this.#last = bytesTransferred;
    this.#lastTotal = bytesTotal;
    this.#at = now;
    try {
      this.callback({ bytesTransferred, bytesTotal });
    } catch (e) {
      throw new ListenerFailure(e);
    }
  }
}

/** A throwing onProgress: the transfer fails with the listener's own error, never retried. @internal */
export class ListenerFailure extends Error {
  constructor(readonly error: unknown) {
    super('onProgress threw');
  }
}
