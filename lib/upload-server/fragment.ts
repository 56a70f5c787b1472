// Streams one Fragment's body into the session's data file. The body is read
// with for-await, so Node pauses the connection while a write is in flight
// (back-pressure: memory holds at most one batch, never the whole fragment).
// Small socket chunks are gathered into batches of up to 1 MiB and written with
// one writev at an explicit position, which costs far fewer system calls than a
// write per chunk. Bytes the session already holds (a resent or overlapping
// fragment) are read and dropped, never written again; the file is fsynced
// before the caller may ack.
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

/**
 * Reads `length` bytes of `body`, which hold the file's bytes from `first`, and
 * writes those at or beyond `received` to `file`. Resolves once they are on disk.
 */
export async function receiveFragment(body: Readable, file: string, first: number, length: number, received: number): Promise<void> {
  let skip = Math.max(0, received - first);
  let position = first + skip;
  let seen = 0;
  if (skip >= length) {
    // Nothing new: read the body to keep the connection usable, write nothing.
    for await (const chunk of body as AsyncIterable<Buffer>) seen += chunk.length;
    if (seen !== length) throw new IncompleteBodyError(`fragment body: ${seen} of ${length} bytes`);
    return;
  }
  const fh = await open(file, 'r+');
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
      // writev may write less than asked (rare, but allowed): finish the rest.
      while (done < position - at) {
        const { bytesWritten } = await fh.writev(done === 0 ? buffers : [Buffer.concat(buffers).subarray(done)], at + done);
        done += bytesWritten;
      }
    };
    for await (const raw of body as AsyncIterable<Buffer>) {
      seen += raw.length;
      if (seen > length) throw new IncompleteBodyError('fragment body longer than its Content-Length');
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
    await flush();
    await fh.sync();
  } finally {
    await fh.close();
  }
}
