// The tests' HTTP file server (Range, HEAD, throttling, a request log). The one
// implementation is range-server.mjs, shared with the bench and the CI smoke
// step, which run under plain Node.
export { startServer } from './range-server.mjs';
export type { TestServer, TestServerOptions } from './range-server.mjs';
