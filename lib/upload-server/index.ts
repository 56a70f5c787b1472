// windows-bits/upload-server: the server half of BITS uploads, for any Node
// backend on any OS. Nothing here imports the native addon (or anything that
// does), so it loads on Linux and macOS as well as Windows.
import { createServer } from 'node:http';
import type { Server } from 'node:http';

import { acceptBitsPost } from './bits-post.js';
import { createUploadHandler } from './handler.js';
import type { UploadServerOptions } from './options.js';

export { acceptBitsPost, BITS_METHOD_HEADER } from './bits-post.js';
export { createUploadHandler } from './handler.js';
export type { UploadHandler } from './handler.js';
export type { FinishedUpload, UploadEvent, UploadResult, UploadServerOptions } from './options.js';
export { BITS_PROTOCOL } from './packet.js';

/**
 * A node:http server that receives BITS uploads into `options.directory`:
 * {@link createUploadHandler} on a server already passed through
 * {@link acceptBitsPost}. Call `listen()` on it as on any server.
 *
 * @example
 * createUploadServer({ directory: '/srv/uploads' }).listen(8080, '127.0.0.1');
 */
export function createUploadServer(options: UploadServerOptions): Server {
  const handler = createUploadHandler(options);
  return acceptBitsPost(createServer((req, res) => handler(req, res)));
}
