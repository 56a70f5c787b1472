// Types of range-server.mjs (plain JavaScript so that plain Node can run it too).
import type { IncomingHttpHeaders } from 'node:http';

export interface TestServer {
  url(name: string): string;
  add(name: string, body: Buffer): void;
  /** Headers of each GET/HEAD request, by path. */
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  /** Destroys every open connection, ending the responses in progress (see range-server.mjs). */
  dropConnections(): void;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Bytes per second for response bodies; unlimited when absent. */
  bytesPerSecond?: number;
  /** Serve HTTPS with this PEM key and certificate; url() is then https://127.0.0.1:<port>/<name> (the test leaf names 127.0.0.1). */
  tls?: { key: Buffer; cert: Buffer };
  /** Response bodies wait for this promise (headers go at once): a transfer that ends when the test says. */
  hold?: Promise<unknown>;
}

export function startServer(files?: Record<string, Buffer>, options?: TestServerOptions): Promise<TestServer>;
