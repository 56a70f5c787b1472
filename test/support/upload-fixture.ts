// An upload server for the unit tests: createUploadServer on 127.0.0.1, port 0,
// in a fresh temporary directory, with every event recorded, and helpers to
// look at what the directory holds.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

import { afterAll } from 'vitest';

import { createUploadServer } from '../../lib/upload-server/index.js';
import type { UploadEvent, UploadServerOptions } from '../../lib/upload-server/index.js';
import { BitsClient } from './bits-client.js';

export interface Uploads {
  dir: string;
  server: Server;
  port: number;
  base: string;
  client: BitsClient;
  events: UploadEvent[];
  /** Finished files in the directory (the hidden sessions folder left out). */
  files(): string[];
  /** Folders of open sessions (the server's own dot folders, such as its record of who uploaded each file, left out). */
  sessions(): string[];
  close(): Promise<void>;
}

const made: string[] = [];
// Every folder tempDir() made goes when the test file ends, whether or not its
// test closed a server over it: imported during collection, this hook joins the
// importing file's root suite.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the system's temporary folder, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bits-upload-'));
  made.push(dir);
  return dir;
}

export async function startUploads(options: Partial<UploadServerOptions> = {}, dir = tempDir()): Promise<Uploads> {
  const events: UploadEvent[] = [];
  const server = createUploadServer({ directory: dir, ...options, onEvent: (e) => events.push(e) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const sessionsDir = path.join(dir, '.bits-sessions');
  return {
    dir,
    server,
    port,
    base,
    client: new BitsClient(base),
    events,
    files: () => readdirSync(dir).filter((f) => f !== '.bits-sessions'),
    sessions: () => {
      try {
        return readdirSync(sessionsDir).filter((f) => !f.startsWith('.'));
      } catch {
        return [];
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

/** Polls `check` every 10 ms until it holds (or fails after `timeoutMs`). */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Writes `block` to `stream` again and again until `total` bytes are written,
 * waiting for 'drain' whenever write() asks to, then calls `done`. Returns a
 * reader of the bytes written so far, which back-pressure tests watch.
 */
export function writeBlocks(stream: Writable, block: Buffer, total: number, done?: () => void): () => number {
  let written = 0;
  const pump = (): void => {
    while (written < total) {
      written += block.length;
      if (!stream.write(block)) {
        stream.once('drain', pump);
        return;
      }
    }
    done?.();
  };
  pump();
  return () => written;
}

export const root = fileURLToPath(new URL('../..', import.meta.url));
