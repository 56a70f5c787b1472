// bits serve-uploads DIR: a BITS upload server from the command line, on any OS
// (it never touches BITS or the native addon; Context only connects to BITS when
// a command asks for its manager). A line per finished upload, or with --json
// one JSON line per event. Ctrl-C (or SIGTERM) closes the server and exits 0;
// unfinished sessions stay on disk, so clients resume when it runs again.
import path from 'node:path';
import type { AddressInfo } from 'node:net';

import { createUploadServer } from '../upload-server/index.js';
import type { UploadEvent } from '../upload-server/index.js';
import { UsageError } from './context.js';
import type { Context } from './context.js';
import { bytes } from './format.js';

export interface ServeUploadsFlags {
  port?: string;
  host?: string;
  maxSize?: string;
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
  if (e.type === 'upload-finished') return `received ${e.path ?? '?'} (${bytes(e.size ?? null)})${e.principal ? ` from ${e.principal}` : ''}`;
  if (e.type === 'callback-failed') return `error: ${e.sessionId ?? ''}: ${e.message ?? ''}`;
  return null;
}

/** Runs the server until SIGINT or SIGTERM. */
export async function serveUploadsCommand(ctx: Context, dir: string, flags: ServeUploadsFlags): Promise<void> {
  const listenPort = port(flags.port ?? '8080');
  const host = flags.host ?? '127.0.0.1';
  const maxFileSize = parseSize(flags.maxSize ?? '1GB');
  const directory = path.resolve(dir);
  const line = (text: string): boolean => process.stdout.write(`${text}\n`);
  const server = createUploadServer({
    directory,
    maxFileSize,
    onEvent: (e) => {
      if (ctx.json) line(JSON.stringify({ time: new Date().toISOString(), ...e }));
      else {
        const text = human(e);
        if (text !== null) line(text);
      }
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port: bound, family } = server.address() as AddressInfo;
  const url = `http://${family === 'IPv6' ? `[${address}]` : address}:${bound}/`;
  if (ctx.json) line(JSON.stringify({ time: new Date().toISOString(), type: 'listening', url, directory, maxFileSize }));
  else process.stderr.write(`Receiving BITS uploads into ${directory} at ${url} (up to ${bytes(maxFileSize)} a file). Ctrl-C stops.\n`);
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
