// The unfinished download on disk: `dest.partial` holds the bytes received so far,
// `dest.partial.json` beside it what they are a prefix of (the URL and the
// server's validators), written before the first byte of a body, so that a later
// call (also after this process was killed) resumes only when the same entity is
// still there. A partial without a readable sidecar is never resumed.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What the partial file is a prefix of. @internal */
export interface PartialMeta {
  version: 1;
  url: string;
  /** The strong ETag of the entity, or null. */
  etag: string | null;
  /** Its Last-Modified, or null. */
  lastModified: string | null;
  /** Its size, when the server said. */
  total: number | null;
}

/** The partial file as found. @internal */
export interface PartialState {
  size: number;
  meta: PartialMeta | null;
}

export const partialPath = (dest: string): string => `${dest}.partial`;
export const metaPath = (dest: string): string => `${dest}.partial.json`;

function isMeta(x: unknown): x is PartialMeta {
  const m = x as { version?: unknown; url?: unknown; etag?: unknown; lastModified?: unknown; total?: unknown } | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    m.version === 1 &&
    typeof m.url === 'string' &&
    (m.etag === null || typeof m.etag === 'string') &&
    (m.lastModified === null || typeof m.lastModified === 'string') &&
    (m.total === null || (typeof m.total === 'number' && Number.isSafeInteger(m.total) && m.total >= 0))
  );
}

/** Reads the partial file's size and its sidecar; size 0 and null when absent. @internal */
export async function readPartial(dest: string): Promise<PartialState> {
  let size = 0;
  try {
    size = (await stat(partialPath(dest))).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  let meta: PartialMeta | null = null;
  try {
    const parsed: unknown = JSON.parse(await readFile(metaPath(dest), 'utf8'));
    if (isMeta(parsed)) meta = parsed;
  } catch {
    // Absent or unreadable: the partial cannot be trusted, the download starts over.
  }
  return { size, meta };
}

/**
 * The If-Range validator (RFC 9110 13.1.5): a strong ETag, else Last-Modified.
 * A weak ETag cannot be used there. Null: the bytes cannot be resumed safely. @internal
 */
export function ifRangeValidator(meta: PartialMeta): string | null {
  if (meta.etag !== null && !meta.etag.startsWith('W/')) return meta.etag;
  return meta.lastModified;
}

/** The offset to resume from, or 0 to start over. @internal */
export function resumeOffset(state: PartialState, url: string): number {
  const { size, meta } = state;
  if (size === 0 || meta === null || meta.url !== url || ifRangeValidator(meta) === null) return 0;
  if (meta.total !== null && size > meta.total) return 0;
  return size;
}

/** Writes the sidecar atomically (a torn one would read as absent, which is safe, but a whole one is better). @internal */
export async function writeMeta(dest: string, meta: PartialMeta): Promise<void> {
  const file = metaPath(dest);
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(meta));
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** Removes the partial file and its sidecar. @internal */
export async function removePartial(dest: string): Promise<void> {
  await rm(partialPath(dest), { force: true });
  await rm(metaPath(dest), { force: true });
}

/**
 * Moves the finished partial into place, then drops the sidecar, and makes the
 * rename durable by syncing the folder (POSIX only: Windows cannot open a folder
 * this way, and NTFS journals the rename itself). @internal
 */
export async function finishPartial(dest: string): Promise<void> {
  await rename(partialPath(dest), dest);
  await rm(metaPath(dest), { force: true });
  if (process.platform === 'win32') return;
  const dir = await open(path.dirname(dest), 'r').catch(() => null);
  if (!dir) return;
  try {
    await dir.sync();
  } catch {
    // Some file systems refuse fsync on a folder; the rename stands either way.
  } finally {
    await dir.close();
  }
}
