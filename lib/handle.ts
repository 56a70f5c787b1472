// What every wrapper of a native object shares: refusing calls after close(),
// closing once, and telling whoever waits on the object that it closed. The
// addon builds BitsError itself (lib/binding.ts hands it the class), so a call's
// failure passes through here unchanged.
import { ObjectClosedError } from './errors.js';

// The native object on its way from NativeHandle.wrap() to the wrapper's constructor.
let pending: unknown;

/** @internal */
export class NativeHandle<T extends { close(): void; describe(): string }> {
  readonly #native: T;
  #closed = false;
  #what = '';
  readonly #onClose = new Set<() => void>();

  private constructor(handle: T) {
    this.#native = handle;
  }

  /**
   * Makes a wrapper of `native`. The wrapper classes' constructors take no
   * argument, so application code cannot make one (it gets a TypeError from
   * adopt()), and the package's public types name no native handle: the handle
   * reaches the constructor through here.
   */
  static wrap<W>(Class: { prototype: W }, native: { close(): void; describe(): string }): W {
    pending = native;
    try {
      return new (Class as unknown as new () => W)();
    } finally {
      pending = undefined;
    }
  }

  /** In a wrapper's constructor: the native object wrap() hands over; TypeError `refusal` outside wrap(). */
  static adopt<N extends { close(): void; describe(): string }>(refusal: string): NativeHandle<N> {
    const native = pending as N | undefined;
    pending = undefined;
    if (!native) throw new TypeError(refusal);
    return new NativeHandle(native);
  }

  /** A value the native object holds from its making on, such as a job's id: no call into the addon. */
  field<K extends keyof T>(key: K): T[K] {
    return this.#native[key];
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The error for a call after close(). It names the object as the native
   * object names itself (`describe()`, e.g. 'Job {…}'), the name the addon's own
   * ObjectClosedError carries: one spelling for both sides.
   */
  closedError(): ObjectClosedError {
    return new ObjectClosedError(this.#what);
  }

  call<R>(fn: (handle: T) => Promise<R>): Promise<R> {
    if (this.#closed) return Promise.reject(this.closedError());
    // The addon throws synchronously for what it refuses outright: a promise
    // method must still only reject.
    try {
      return fn(this.#native);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Runs `listener` once at close(); returns what removes it. */
  onClose(listener: () => void): () => void {
    this.#onClose.add(listener);
    return () => this.#onClose.delete(listener);
  }

  /** Releases the COM references now; true the first time. */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    // Asked before the release: after close() the object makes no call into the addon.
    this.#what = this.#native.describe();
    this.#native.close();
    for (const listener of [...this.#onClose]) listener();
    this.#onClose.clear();
    return true;
  }
}
