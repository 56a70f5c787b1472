// bits serve-uploads DIR: a BITS upload server from the command line, on any OS
// (it never touches BITS or the native addon; Context only connects to BITS when
// a command asks for its manager). A line per finished upload, or with --json
// one JSON line per event. Ctrl-C (or SIGTERM) closes the server and exits 0;
// unfinished sessions stay on disk, so clients resume when it runs again.
// It listens on loopback unless told otherwise, and refuses an address other
// machines can reach without both TLS and a users file (Basic authentication),
// unless --insecure says the network is trusted: with neither, anyone there could
// upload, and passwords would cross it in the clear.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

import { basicAuth, hashPassword, parseUsers } from '../upload-server/basic-auth.js';
import { createUploadServer } from '../upload-server/index.js';
import type { UploadEvent } from '../upload-server/index.js';
import { UsageError } from './context.js';
import type { Context } from './context.js';
import { bytes } from './format.js';

export interface ServeUploadsFlags {
  port?: string;
  host?: string;
  maxSize?: string;
  tlsCert?: string;
  tlsKey?: string;
  users?: string;
  insecure?: boolean;
}

const UNIT: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4 };

/** '1GB', '500 MB', '1.5GiB', '1048576': bytes, with 1024-based units as Windows shows them. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? UNIT[(m[2] ?? '').toLowerCase()] : undefined;
  const n = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--max-size takes a size such as 1GB or 500MB, got '${text}'`);
  return n;
}

function port(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UsageError(`--port takes a TCP port (0-65535), got '${text}'`);
  return Number(text);
}

function human(e: UploadEvent): string | null {
  if (e.type === 'upload-finished') return `received ${e.path} (${bytes(e.size)})${e.principal ? ` from ${e.principal}` : ''}`;
  if (e.type === 'callback-failed') return `error: ${e.sessionId}: ${e.message}`;
  return null;
}

/** Whether only this machine can reach `host`: 127.0.0.0/8, ::1, or localhost. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

function readFlagFile(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** What the flags ask for, checked before anything listens. */
function security(flags: ServeUploadsFlags, host: string): { tls?: { cert: Buffer; key: Buffer }; authorize?: ReturnType<typeof basicAuth> } {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together: the certificate (PEM) and its private key');
  const tls = flags.tlsCert !== undefined && flags.tlsKey !== undefined ? { cert: readFlagFile('--tls-cert', flags.tlsCert), key: readFlagFile('--tls-key', flags.tlsKey) } : undefined;
  let authorize: ReturnType<typeof basicAuth> | undefined;
  if (flags.users !== undefined) {
    try {
      authorize = basicAuth(parseUsers(readFlagFile('--users', flags.users).toString('utf8')), { realm: 'bits serve-uploads' });
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(`--users ${flags.users}: ${e.message}`);
      throw e;
    }
  }
  if (!isLoopback(host) && !(tls && authorize) && flags.insecure !== true) {
    const missing = [tls ? null : 'TLS (--tls-cert and --tls-key)', authorize ? null : 'authentication (--users FILE)'].filter((x) => x !== null).join(' and ');
    throw new UsageError(
      `--host ${host} can be reached from other machines, and this server has no ${missing}: anyone who can reach it could upload files${authorize ? ', and passwords would cross the network in the clear' : ''}. ` +
        'Give --tls-cert, --tls-key and --users, or --insecure if the network is trusted.',
    );
  }
  return { ...(tls ? { tls } : {}), ...(authorize ? { authorize } : {}) };
}

/** Reads a password from stdin (piped, or typed without echo) and prints `user:<hash>` for a users file. */
export async function hashPasswordCommand(user: string): Promise<void> {
  // eslint-disable-next-line no-control-regex -- a user name may not hold control characters
  if (user === '' || /[:\s]/.test(user) || /[\x00-\x1f\x7f]/.test(user)) throw new UsageError('--hash-password takes a user name without colons, spaces or control characters');
  const password = await readPassword();
  try {
    if (password.length === 0) throw new UsageError('--hash-password: no password on stdin');
    process.stdout.write(`${user}:${await hashPassword(password)}\n`);
  } finally {
    password.fill(0);
  }
}

/** The password's bytes, up to the first line end; a Buffer, never a string. */
async function readPassword(): Promise<Buffer> {
  const stdin = process.stdin;
  const typed = stdin.isTTY;
  if (typed) {
    process.stderr.write('Password: ');
    stdin.setRawMode(true);
  }
  const parts: Buffer[] = [];
  try {
    for await (const chunk of stdin as AsyncIterable<Buffer>) {
      const end = chunk.findIndex((b) => b === 0x0a || b === 0x0d || (typed && (b === 0x03 || b === 0x04)));
      if (typed && end >= 0 && chunk[end] === 0x03) throw new UsageError('interrupted');
      parts.push(Buffer.from(end >= 0 ? chunk.subarray(0, end) : chunk));
      chunk.fill(0);
      if (end >= 0) break;
    }
  } finally {
    if (typed) {
      stdin.setRawMode(false);
      process.stderr.write('\n');
    }
    stdin.pause();
  }
  const password = Buffer.concat(parts);
  for (const p of parts) p.fill(0);
  return password;
}

/** Runs the server until SIGINT or SIGTERM. */
export async function serveUploadsCommand(ctx: Context, dir: string, flags: ServeUploadsFlags): Promise<void> {
  const listenPort = port(flags.port ?? '8080');
  const host = flags.host ?? '127.0.0.1';
  const maxFileSize = parseSize(flags.maxSize ?? '1GB');
  const { tls, authorize } = security(flags, host);
  const directory = path.resolve(dir);
  const line = (text: string): boolean => process.stdout.write(`${text}\n`);
  const onEvent = (e: UploadEvent): void => {
    if (ctx.json) line(JSON.stringify({ time: new Date().toISOString(), ...e }));
    else {
      const text = human(e);
      if (text !== null) line(text);
    }
  };
  const server = createUploadServer({ directory, maxFileSize, onEvent, ...(authorize ? { authorize } : {}) }, tls ?? {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port: bound, family } = server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://${family === 'IPv6' ? `[${address}]` : address}:${bound}/`;
  const auth = authorize ? 'basic' : 'none';
  if (ctx.json) line(JSON.stringify({ time: new Date().toISOString(), type: 'listening', url, directory, maxFileSize, authentication: auth }));
  else process.stderr.write(`Receiving BITS uploads into ${directory} at ${url} (up to ${bytes(maxFileSize)} a file${authorize ? ', users from ' + (flags.users ?? '') : ', no authentication'}). Ctrl-C stops.\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      // Cut uploads in progress: what they had acked stays on disk for their resume.
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  if (ctx.json) line(JSON.stringify({ time: new Date().toISOString(), type: 'stopped' }));
  else process.stderr.write('Stopped.\n');
}
