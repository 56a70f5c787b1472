// What every wrapper of a native object shares: refusing calls after close(),
// turning the addon's failures into BitsError, and closing once.
import { ObjectClosedError, native } from './errors.js';

export class NativeHandle<T extends { close(): void }> {
  readonly #native: T;
  readonly #what: string;
  #closed = false;

  constructor(handle: T, what: string) {
    this.#native = handle;
    this.#what = what;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The raw handle, for a wrapper that must hand it on (queryJob4). */
  get raw(): T {
    return this.#native;
  }

  call<R>(fn: (handle: T) => Promise<R>): Promise<R> {
    if (this.#closed) return Promise.reject(new ObjectClosedError(this.#what));
    return native(() => fn(this.#native));
  }

  /** Releases the COM references now; true the first time. */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    this.#native.close();
    return true;
  }
}
