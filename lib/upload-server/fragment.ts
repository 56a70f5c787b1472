// Streams one Fragment's body into the session's data file. The body is read
// with for-await, so Node pauses the connection while a write is in flight
// (back-pressure: memory holds at most one batch, never the whole fragment).
// Small socket chunks are gathered into batches of up to 1 MiB and written with
// one writev at an explicit position, which costs far fewer system calls than a
// write per chunk. Bytes the session already holds (a resent or overlapping
// fragment) are read and dropped, never written again; the file is fsynced
// before the caller may ack. A write that fails (a full disk, a file size
// limit, an I/O error) stops the writing but not the reading: the rest of the
// body is read and dropped, so that the client gets an error ack on a
// connection that still works. A body that sends nothing for `idleMs` is
// destroyed, which frees the session for the client's next attempt.
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';

const BATCH = 1 << 20;

/**
 * The body held other than Content-Length bytes although the request completed:
 * something read it before the handler did (a client that goes away mid-body
 * makes Node fail the read with ECONNRESET instead).
 */
export class IncompleteBodyError extends Error {
  override readonly name = 'IncompleteBodyError';
}

/** The body sent no byte for the inactivity timeout; the request was destroyed. */
export class StalledBodyError extends Error {
  override readonly name = 'StalledBodyError';
}

/** Writing or syncing the data file failed; the body was read to its end all the same. */
export class FragmentWriteError extends Error {
  override readonly name = 'FragmentWriteError';
  constructor(override readonly cause: NodeJS.ErrnoException) {
    super(`writing the fragment failed: ${cause.code ?? cause.message}`);
  }
}

/** Destroys `body` when no chunk arrives for `idleMs`; the loop reading it calls `refresh` per chunk. */
function idleWatch(body: Readable, idleMs: number): { refresh: () => void; stop: () => void; stalled: () => boolean } {
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    body.destroy(new StalledBodyError(`no byte of the fragment for ${idleMs} ms`));
  }, idleMs);
  return { refresh: () => timer.refresh(), stop: () => clearTimeout(timer), stalled: () => fired };
}

/**
 * Reads `length` bytes of `body`, which hold the file's bytes from `first`, and
 * writes those at or beyond `received` to `file`. Resolves once they are on disk.
 */
export async function receiveFragment(body: Readable, file: string, first: number, length: number, received: number, idleMs: number): Promise<void> {
  const idle = idleWatch(body, idleMs);
  try {
    await (received - first >= length ? drain(body, length, idle.refresh) : write(body, file, first, length, received, idle.refresh));
  } catch (e) {
    if (idle.stalled()) throw new StalledBodyError(`no byte of the fragment for ${idleMs} ms`);
    throw e;
  } finally {
    idle.stop();
  }
}

/** Nothing new: reads the body to keep the connection usable, writes nothing. */
async function drain(body: Readable, length: number, tick: () => void): Promise<void> {
  let seen = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    tick();
    seen += chunk.length;
  }
  if (seen !== length) throw new IncompleteBodyError(`fragment body: ${seen} of ${length} bytes`);
}

async function write(body: Readable, file: string, first: number, length: number, received: number, tick: () => void): Promise<void> {
  let skip = Math.max(0, received - first);
  let position = first + skip;
  let seen = 0;
  const fh = await open(file, 'r+');
  let failed: NodeJS.ErrnoException | undefined;
  try {
    let batch: Buffer[] = [];
    let batched = 0;
    const flush = async (): Promise<void> => {
      if (batched === 0) return;
      const buffers = batch;
      const at = position;
      batch = [];
      position += batched;
      batched = 0;
      let done = 0;
      try {
        // writev may write less than asked (rare, but allowed): finish the rest.
        while (done < position - at) {
          const { bytesWritten } = await fh.writev(done === 0 ? buffers : [Buffer.concat(buffers).subarray(done)], at + done);
          done += bytesWritten;
        }
      } catch (e) {
        failed = e as NodeJS.ErrnoException;
      }
    };
    for await (const raw of body as AsyncIterable<Buffer>) {
      tick();
      seen += raw.length;
      if (seen > length) throw new IncompleteBodyError('fragment body longer than its Content-Length');
      if (failed) continue; // drain: the answer waits for the end of the body
      let chunk = raw;
      if (skip > 0) {
        const dropped = Math.min(skip, chunk.length);
        chunk = chunk.subarray(dropped);
        skip -= dropped;
      }
      if (chunk.length === 0) continue;
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= BATCH) await flush();
    }
    if (seen !== length) throw new IncompleteBodyError(`fragment body: ${seen} of ${length} bytes`);
    if (!failed) await flush();
    if (!failed) await fh.sync().catch((e: unknown) => (failed = e as NodeJS.ErrnoException));
    if (failed) throw new FragmentWriteError(failed);
  } finally {
    await fh.close();
  }
}
