// windows-bits/upload-server: the server half of BITS uploads, for any Node
// backend on any OS. Nothing here imports the native addon (or anything that
// does), so it loads on Linux and macOS as well as Windows.
import { createServer } from 'node:http';
import type { Server, ServerOptions } from 'node:http';
import { createServer as createSecureServer } from 'node:https';
import type { ServerOptions as SecureServerOptions } from 'node:https';

import { acceptBitsPost } from './bits-post.js';
import { createUploadHandler } from './handler.js';
import type { UploadServerOptions } from './options.js';

export { acceptBitsPost, BITS_METHOD_HEADER } from './bits-post.js';
export { basicAuth, hashPassword, parseUsers } from './basic-auth.js';
export type { BasicAuthOptions, BasicUser } from './basic-auth.js';
export { createUploadHandler } from './handler.js';
export type { UploadHandler } from './handler.js';
export type {
  AuthorizeChallenge,
  AuthorizeResult,
  CallbackFailedEvent,
  FinishedUpload,
  FragmentEvent,
  QuotaExceededEvent,
  RefusedEvent,
  SessionCancelledEvent,
  SessionClosedEvent,
  SessionCreatedEvent,
  UploadEvent,
  UploadEventMap,
  UploadEventOf,
  UploadFinishedEvent,
  UploadResult,
  UploadServerOptions,
} from './options.js';
export { BITS_PROTOCOL } from './packet.js';
export type { QuotaName } from './quota.js';

/** TLS options that make {@link createUploadServer} serve HTTPS: any of these present. */
const TLS_KEYS = ['key', 'cert', 'pfx', 'SNICallback', 'secureContext'] as const;

/**
 * A node:http server (node:https when `serverOptions` carries a key, cert, pfx,
 * SNICallback or secureContext) that receives BITS uploads into
 * `options.directory`: {@link createUploadHandler} on a server already passed
 * through {@link acceptBitsPost}. Call `listen()` on it as on any server.
 *
 * Node's `requestTimeout` (300 s by default) would cut a 13 MB fragment slower
 * than about 44 KB/s, so it is 0 here unless `serverOptions` sets it: the
 * handler ends a fragment that sends nothing for `fragmentTimeoutMs` instead.
 *
 * @example
 * createUploadServer({ directory: '/srv/uploads' }).listen(8080, '127.0.0.1');
 * createUploadServer({ directory: '/srv/uploads' }, { key, cert }).listen(8443);
 */
export function createUploadServer(options: UploadServerOptions, serverOptions: ServerOptions | SecureServerOptions = {}): Server {
  const handler = createUploadHandler(options);
  const merged = { requestTimeout: 0, ...serverOptions };
  const secure = TLS_KEYS.some((k) => (serverOptions as Record<string, unknown>)[k] !== undefined);
  const server = secure ? createSecureServer(merged, (req, res) => handler(req, res)) : createServer(merged, (req, res) => handler(req, res));
  return acceptBitsPost(server);
}
