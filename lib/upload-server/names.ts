// File names for finished uploads. A name comes from the request path below the
// mount (or the caller's fileName option) and ends up joined to `directory`, so
// it is the one piece of client input that reaches the file system as a path.
// It is a relative path of plain segments split on `/`, as IIS keeps the
// remote URL's folders below the virtual directory. Each segment must be a
// plain name: nothing that could climb out (`..`, slashes or backslashes inside
// a segment, also encoded ones, drive paths), nothing Windows would read as
// something else (reserved device names even with an extension, `a:b`
// alternate data streams, trailing dots or spaces that Windows strips), no
// control characters, and at most 255 bytes (the common file-name limit).
import path from 'node:path';

/** The hidden folder inside `directory` where unfinished sessions live. */
export const SESSIONS_FOLDER = '.bits-sessions';

/** The folder of ownership records inside the sessions folder (never a session's GUID). */
export const OWNERS_FOLDER = '.owners';

const RESERVED = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$)$/i;
// Control characters, path separators, and what Windows forbids in names (: also opens a stream).
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f/\\:*?"<>|]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `name` is not a safe file name, or null when it is. */
export function unsafeNameReason(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'empty name';
  if (Buffer.byteLength(name, 'utf8') > 255) return 'name longer than 255 bytes';
  if (LONE_SURROGATE.test(name)) return 'name is not well-formed Unicode';
  if (FORBIDDEN.test(name)) return 'name holds a path separator, a stream or a forbidden character';
  if (name === '.' || name === '..') return 'name is a relative path';
  if (/[. ]$/.test(name)) return 'name ends with a dot or a space';
  // Windows: CON, CON.txt and "CON .txt" all open the console device (spaces trimmed both sides, to be safe).
  const stem = name.split('.')[0]?.trim() ?? '';
  if (RESERVED.test(stem)) return 'name is a Windows device name';
  if (name.toLowerCase() === SESSIONS_FOLDER) return 'name is reserved for the server';
  return null;
}

/** The longest relative path accepted, in bytes (Windows' MAX_PATH is 260 UTF-16 units for the whole path). */
const MAX_PATH_BYTES = 1024;

/** Why `rel` (segments joined by `/`) is not a safe relative path, or null when it is. */
export function unsafePathReason(rel: unknown): string | null {
  if (typeof rel !== 'string' || rel.length === 0) return 'empty name';
  if (Buffer.byteLength(rel, 'utf8') > MAX_PATH_BYTES) return `path longer than ${MAX_PATH_BYTES} bytes`;
  for (const segment of rel.split('/')) {
    const reason = unsafeNameReason(segment);
    if (reason !== null) return segment === '' ? 'path has an empty segment' : reason;
  }
  return null;
}

/**
 * The default relative path: the request path below the mount, each segment
 * decoded on its own (split before decoding, so that an encoded slash stays
 * inside its segment, where the check refuses it). Null when the path ends in
 * `/` or a segment does not decode.
 */
export function pathFromUrl(url: string): string | null {
  const pathname = (url.split(/[?#]/)[0] ?? '').replace(/^\/+/, '');
  if (pathname === '' || pathname.endsWith('/')) return null;
  try {
    return pathname
      .split('/')
      .map((segment) => {
        const decoded = decodeURIComponent(segment);
        // A decoded `/` would add a level the check never saw as a segment.
        return decoded.includes('/') ? '\0' : decoded;
      })
      .join('/');
  } catch {
    return null;
  }
}

/**
 * The last segment of the request path, split before
 * decoding so that an encoded slash (%2F, %5C) stays inside the name, where the
 * check refuses it. Null when the path ends in `/` or does not decode.
 */
export function nameFromUrl(url: string): string | null {
  const pathname = url.split(/[?#]/)[0] ?? '';
  const segment = pathname.slice(pathname.lastIndexOf('/') + 1);
  if (segment === '') return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** `directory/rel`, after checking once more that the join stayed below `directory`. */
export function finalPath(directory: string, rel: string): string {
  const root = path.resolve(directory);
  const full = path.resolve(root, ...rel.split('/'));
  if (!full.startsWith(root + path.sep) || full.slice(root.length + 1).split(path.sep).length !== rel.split('/').length) {
    throw new Error(`name escapes the directory: ${JSON.stringify(rel)}`);
  }
  return full;
}
