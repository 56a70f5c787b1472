// Upload-reply: the reply onUpload returned is stored in the session's folder and
// served by GET (and HEAD) at the path the last fragment's ack named in
// BITS-Reply-URL, with single byte ranges (206) since BITS resumes interrupted
// downloads of it like any other. It lives until Close-Session removes the
// session. Only the session's principal may fetch it.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';

/** Reply paths, relative to where the handler is mounted. */
export const REPLY_PATH = /^\/\.bits-reply\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The BITS-Reply-URL for a session: a path on the same handler, keeping the mount prefix (Express's originalUrl). */
export function replyUrl(req: IncomingMessage, id: string): string {
  const own = (req.url ?? '/').split('?')[0] ?? '/';
  const original = ((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? own).split('?')[0] ?? own;
  const prefix = original.endsWith(own) ? original.slice(0, original.length - own.length) : '';
  return `${prefix}/.bits-reply/${id}`;
}

/** Parses a single `bytes=` range against `size`; null for no (or an ignorable) Range, 'unsatisfiable' for 416. */
export function parseRange(value: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (value === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  // Several ranges or another unit: RFC 9110 lets a server send the whole body.
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return null;
  }
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** Sends the reply file at `file` (its whole or the requested range). */
export async function sendReply(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
  const { size } = await stat(file);
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': '0' }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const headers: Record<string, string> = {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(end - start + 1),
    'Accept-Ranges': 'bytes',
  };
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  await pipeline(createReadStream(file, { start, end }), res);
}
