// Where a finished upload goes, and whether it may go there. The relative path
// (names.ts) is walked one folder at a time below `directory`: missing folders
// are made, and a segment that is a symlink or not a folder refuses the upload,
// so a link planted inside `directory` never leads the rename out of it. The
// walk runs at Create-Session (an unusable destination is refused at once, with
// a code BITS treats as final) and again just before the rename.
//
// Ownership: a file is replaced only by the principal that uploaded it. The
// server keeps a record per finished name in `.bits-sessions/.owners/`, written
// durably before the rename; a file without a record (put there by someone
// else) is nobody's to replace.
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { access, constants, lstat, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { OWNERS_FOLDER, SESSIONS_FOLDER, finalPath } from './names.js';
import { HRESULT, PacketError } from './packet.js';
import { writeFileAtomic } from './store.js';

const denied = (why: string): PacketError => new PacketError(403, HRESULT.E_ACCESSDENIED, why);

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/** lstat, or null when nothing is there. */
async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return await lstat(p);
  } catch (e) {
    if (code(e) === 'ENOENT') return null;
    throw e;
  }
}

async function writable(p: string): Promise<boolean> {
  try {
    await access(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export class Destinations {
  readonly #owners: string;

  constructor(
    readonly directory: string,
    readonly overwrite: 'replace' | 'refuse',
  ) {
    this.#owners = path.join(directory, SESSIONS_FOLDER, OWNERS_FOLDER);
  }

  /** A key for `rel` that two spellings of one file share (Windows and macOS fold case). */
  key(rel: string): string {
    const folded = process.platform === 'win32' || process.platform === 'darwin' ? rel.toLowerCase() : rel;
    return createHash('sha256').update(folded).digest('hex');
  }

  /** Makes the folders of `rel` below `directory`, refusing symlinks and non-folders; returns the file's full path. */
  async prepare(rel: string): Promise<string> {
    const target = finalPath(this.directory, rel);
    let dir = this.directory;
    for (const segment of rel.split('/').slice(0, -1)) {
      dir = path.join(dir, segment);
      let st = await lstatOrNull(dir);
      if (st === null) {
        try {
          await mkdir(dir);
        } catch (e) {
          if (code(e) !== 'EEXIST') throw e;
        }
        st = await lstat(dir);
      }
      if (st.isSymbolicLink()) throw denied(`folder ${segment} is a symbolic link`);
      if (!st.isDirectory()) throw new PacketError(403, HRESULT.ALREADY_EXISTS, `a file holds the folder name ${segment}`);
    }
    return target;
  }

  /**
   * Refuses a destination that `principal` may not finish: a folder at the name, a folder it
   * cannot write, an existing file under 'refuse', or a file another principal uploaded.
   */
  async check(rel: string, principal: string, target: string): Promise<void> {
    const st = await lstatOrNull(target);
    if (st === null) {
      if (!(await writable(path.dirname(target)))) throw denied('the destination folder cannot be written');
      return;
    }
    if (st.isDirectory()) throw new PacketError(403, HRESULT.ALREADY_EXISTS, 'a folder holds the name');
    if (this.overwrite === 'refuse') throw new PacketError(403, HRESULT.FILE_EXISTS, 'the file exists and overwrite is refuse');
    if ((await this.owner(rel)) !== principal) throw denied('the file belongs to another principal');
    if (!(await writable(target))) throw denied('the file cannot be replaced');
  }

  /** Who uploaded the file at `rel` (undefined: no record). */
  async owner(rel: string): Promise<string | undefined> {
    try {
      const record = JSON.parse(await readFile(path.join(this.#owners, this.key(rel)), 'utf8')) as { principal?: unknown };
      return typeof record.principal === 'string' ? record.principal : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records `principal` as the uploader of `rel`, durably; call before the rename. */
  async claim(rel: string, principal: string): Promise<void> {
    await mkdir(this.#owners, { recursive: true });
    await writeFileAtomic(path.join(this.#owners, this.key(rel)), JSON.stringify({ name: rel, principal }));
  }
}
