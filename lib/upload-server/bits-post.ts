// acceptBitsPost: teaches a node:http (or node:https) server the BITS_POST method.
// Node's HTTP parser refuses any method it does not know (HPE_INVALID_METHOD, a 400
// before the request handler runs), and BITS uploads use nothing but BITS_POST.
// Rather than patch Node's internals, each connection is handed to the server as a
// Duplex that rewrites the request line `BITS_POST ` to `POST ` and adds the header
// `X-Bits-Method: BITS_POST`. To find every request line on a kept-alive or
// pipelined connection the front follows HTTP/1.1 framing (Content-Length, or the
// chunked coding); bodies pass through untouched, chunk by chunk, and back-pressure
// flows both ways: the socket is paused when the server stops reading. Framing the
// front cannot read exactly as Node's parser would closes the connection.
import { Duplex } from 'node:stream';
import { maxHeaderSize as defaultMaxHeaderSize } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Server as TlsServer, TLSSocket } from 'node:tls';

import { BitsRequestFramer } from './framing.js';

/** The header the front adds to a rewritten BITS_POST request (any copy a client sends is removed). */
export const BITS_METHOD_HEADER = 'x-bits-method';

const installed = Symbol('windows-bits.acceptBitsPost');

type Listener = (socket: Duplex) => void;

/**
 * The connection as the HTTP server sees it: the client's bytes after the
 * rewrite, and the server's bytes written through to the socket. The socket's
 * addresses, timeouts and TLS state are delegated so that `req.socket` behaves
 * as the real one for everything a request handler reads.
 */
class BitsPostConnection extends Duplex {
  readonly #socket: Socket;
  readonly #framer: BitsRequestFramer;

  constructor(socket: Socket, server: HttpServer) {
    super({ allowHalfOpen: true });
    this.#socket = socket;
    const max = (server as { maxHeaderSize?: number }).maxHeaderSize ?? defaultMaxHeaderSize;
    this.#framer = new BitsRequestFramer(max, () => server.listenerCount('upgrade') > 0);
    socket.on('data', (chunk: Buffer) => {
      for (const out of this.#framer.push(chunk)) {
        if (!this.push(out)) socket.pause();
      }
      // Past this point the front no longer knows where requests start, so Node's parser must not go on.
      if (this.#framer.error !== null) setImmediate(() => this.destroy());
    });
    socket.on('end', () => {
      for (const out of this.#framer.flush()) this.push(out);
      this.push(null);
    });
    socket.on('timeout', () => this.emit('timeout'));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    if (this.#socket.isPaused()) this.#socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#socket.write(chunk, encoding)) callback();
    else this.#socket.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#socket.destroyed) this.#socket.destroy(error ?? undefined);
    callback(error);
  }

  /** The real socket (a TLSSocket on an https server). */
  get socket(): Socket {
    return this.#socket;
  }
  get remoteAddress(): string | undefined {
    return this.#socket.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.#socket.remotePort;
  }
  get remoteFamily(): string | undefined {
    return this.#socket.remoteFamily;
  }
  get localAddress(): string | undefined {
    return this.#socket.localAddress;
  }
  get localPort(): number | undefined {
    return this.#socket.localPort;
  }
  /** True on an https server, as frameworks check to build absolute URLs. */
  get encrypted(): boolean {
    return (this.#socket as Socket & { encrypted?: boolean }).encrypted === true;
  }
  address(): AddressInfo | Record<string, never> {
    return this.#socket.address();
  }
  setTimeout(ms: number, callback?: () => void): this {
    this.#socket.setTimeout(ms);
    if (callback) this.once('timeout', callback);
    return this;
  }
  setNoDelay(noDelay?: boolean): this {
    this.#socket.setNoDelay(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, delay?: number): this {
    this.#socket.setKeepAlive(enable, delay);
    return this;
  }
  ref(): this {
    this.#socket.ref();
    return this;
  }
  unref(): this {
    this.#socket.unref();
    return this;
  }
}

/** TLSSocket state a request handler reads (set on the instance, so not on the prototype). */
const TLS_FIELDS = ['authorized', 'authorizationError', 'alpnProtocol', 'servername'] as const;

/**
 * The connection on an https server: it also answers as the TLSSocket does, so that
 * `req.socket.getPeerCertificate()`, `.authorized` and the rest work as they would
 * without the front (mutual TLS, say). Every public TLSSocket method passes through.
 */
class BitsPostTlsConnection extends BitsPostConnection {}
for (const name of Object.getOwnPropertyNames(TLSSocket.prototype)) {
  if (name === 'constructor' || name.startsWith('_') || typeof (TLSSocket.prototype as unknown as Record<string, unknown>)[name] !== 'function') continue;
  Object.defineProperty(BitsPostTlsConnection.prototype, name, {
    configurable: true,
    writable: true,
    value: function (this: BitsPostConnection, ...args: unknown[]): unknown {
      const socket = this.socket as unknown as Record<string, (...a: unknown[]) => unknown>;
      return socket[name]?.(...args);
    },
  });
}
for (const name of TLS_FIELDS) {
  Object.defineProperty(BitsPostTlsConnection.prototype, name, {
    configurable: true,
    get(this: BitsPostConnection): unknown {
      return (this.socket as unknown as Record<string, unknown>)[name];
    },
  });
}

/**
 * Lets `server` receive BITS_POST requests: they reach its request handler as
 * `POST` with the header `X-Bits-Method: BITS_POST` (which
 * {@link createUploadHandler} recognises). Works for `http.createServer` and
 * `https.createServer` (on the decrypted stream); keep-alive, pipelining and
 * back-pressure are kept. On https, `req.socket` answers as the TLSSocket does
 * (`authorized`, `getPeerCertificate()`...), so `authorize` can name the principal
 * from a client certificate. Calling it twice on one server is harmless.
 *
 * @param server a node:http or node:https server, before or after `listen()`.
 * @returns the same server, for chaining: `acceptBitsPost(http.createServer(app)).listen(8080)`.
 */
export function acceptBitsPost<S extends HttpServer>(server: S): S {
  const marked = server as S & { [installed]?: true };
  if (marked[installed]) return server;
  marked[installed] = true;
  // https servers hand HTTP the TLS socket on 'secureConnection'; http servers on 'connection'.
  const event = server instanceof TlsServer ? 'secureConnection' : 'connection';
  const originals = server.listeners(event) as Listener[];
  server.removeAllListeners(event);
  server.on(event, (socket: Socket) => {
    const Connection = socket instanceof TLSSocket ? BitsPostTlsConnection : BitsPostConnection;
    const wrapped = socket instanceof BitsPostConnection ? socket : new Connection(socket, server);
    for (const listener of originals) listener.call(server, wrapped);
  });
  return server;
}
