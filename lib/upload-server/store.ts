// Sessions on disk, so that nothing acked is lost when the server dies, and so
// that every process sharing `directory` (node:cluster workers, servers on one
// shared folder) can serve every packet of every session. Each session is a
// folder `directory/.bits-sessions/<guid>/` holding `data` (the bytes received
// so far, written in place), `state.json` (a few hundred bytes: owner, name,
// total, bytes acked), `lock` while a packet runs and, for upload-reply,
// `reply`. state.json is replaced atomically (temp file, fsync, rename, fsync of
// the folder), so after a SIGKILL it holds either the old or the new state,
// never a torn one; since an ack is sent only after the state naming its bytes
// is durable, any process continues every session from its last ack.
//
// Another process may have advanced, finished or ended a session since this one
// last saw it, so a packet reads state.json afresh under the session's lock
// (a promise chain in this process, then a lock file for the others); memory
// only counts and expires sessions. A session folder appears whole (made as
// `.new-<guid>`, then renamed) and goes whole (renamed to `.gone-...`, then
// deleted), so no process sees half of one, and a packet waiting for the lock
// of a session that just ended finds the folder gone.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

import { SESSIONS_FOLDER } from './names.js';
import { LockGoneError, acquireLock } from './session-lock.js';
import type { HeldLock } from './session-lock.js';

/** The folder of the per-name finish locks inside the sessions folder. */
const LOCKS_FOLDER = '.locks';
/** A `.new-` folder this old belongs to a Create-Session that died (one takes milliseconds). */
const ABANDONED_MS = 10 * 60_000;
/** Temp files of processes on several hosts sharing `directory` must not collide: pids may. */
const TAG = randomUUID().slice(0, 8);

/** What a session's state.json holds. */
export interface SessionState {
  version: 1;
  /** The GUID, lower case, without braces. */
  id: string;
  principal: string;
  /** The finished file's name inside `directory`. */
  name: string;
  /** The URL of the Create-Session request, for onUpload. */
  url: string;
  /** The total size the fragments declare; null before the first fragment. */
  total: number | null;
  /** Bytes received and acked: the next offset expected. */
  received: number;
  /** When a packet last touched the session (ms since the epoch), for expiry. */
  touched: number;
  /** The file was renamed into `directory`. */
  finished: boolean;
  /** onUpload ran (successfully or not). */
  notified: boolean;
  /** onUpload's final (4xx) error, repeated to a client that resends the last fragment; no status: 500. */
  failure: { hresult: number; message: string; status?: number } | null;
  /** A reply file is stored for upload-reply. */
  reply: boolean;
}

let tempCounter = 0;

/** Flushes a folder's entries (a rename) to disk; Windows cannot open folders, and NTFS journals renames. */
export async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces `file` with `data` atomically and durably. */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const temp = `${file}.${process.pid}.${TAG}.${++tempCounter}.tmp`;
  const fh = await open(temp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(temp, file);
  await syncFolder(path.dirname(file));
}

/** Reads a session's state.json; undefined when the folder or the file is gone or is not a session's. */
async function readState(dir: string, id: string): Promise<SessionState | undefined> {
  let state: Partial<SessionState> | null;
  try {
    state = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as Partial<SessionState> | null;
  } catch {
    return undefined;
  }
  return state?.version === 1 && state.id === id ? (state as SessionState) : undefined;
}

/** Every session of one `directory`, on disk, with the ones this process has seen in memory. */
export class SessionStore {
  readonly root: string;
  readonly #timeoutMs: number;
  readonly #emptyTimeoutMs: number;
  readonly #lockWaitMs: number;
  readonly #sessions = new Map<string, SessionState>();
  readonly #locks = new Map<string, Promise<void>>();
  #ready: Promise<void> | undefined;
  #lastSweep = 0;

  constructor(directory: string, timeoutMs: number, emptyTimeoutMs = timeoutMs, lockWaitMs = 10_000) {
    this.root = path.join(directory, SESSIONS_FOLDER);
    this.#timeoutMs = timeoutMs;
    this.#emptyTimeoutMs = emptyTimeoutMs;
    this.#lockWaitMs = lockWaitMs;
  }

  /**
   * Sweeps expired sessions' folders now and then, also when no request comes: as often as the
   * shorter timeout, at most once a minute. The timer is unref'd, so it never keeps a process alive.
   */
  #startSweeper(): void {
    const every = Math.min(this.#emptyTimeoutMs, this.#timeoutMs, 60_000);
    setInterval(() => this.sweep(), every).unref();
  }

  /** Creates the folders and loads the sessions on disk (a previous run's, other processes'); runs once. */
  ready(): Promise<void> {
    this.#ready ??= this.#load().then(async () => {
      // Sessions that expired meanwhile go at start, before the first answer.
      for (const [id, s] of [...this.#sessions]) if (this.#expired(s)) await this.remove(id);
      this.#startSweeper();
    }).catch((e: unknown) => {
      this.#ready = undefined; // let the next request try again (a folder made later, say)
      throw e;
    });
    return this.#ready;
  }

  async #load(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    for (const entry of await readdir(this.root, { withFileTypes: true })) {
      const dir = path.join(this.root, entry.name);
      if (!entry.isDirectory()) continue;
      if (entry.name.startsWith('.')) {
        // Half-made and half-deleted sessions: another process may be making one right now.
        const made = entry.name.startsWith('.new-') ? await stat(dir).then((st) => st.mtimeMs, () => 0) : null;
        if (entry.name.startsWith('.gone-') || (made !== null && Date.now() - made > ABANDONED_MS)) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
        continue;
      }
      const state = await readState(dir, entry.name);
      if (state) this.#sessions.set(state.id, state);
      // No state in a session's folder: a Create-Session of a version that made it in place died before its ack.
      else await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  dir(id: string): string {
    return path.join(this.root, id);
  }
  dataPath(id: string): string {
    return path.join(this.root, id, 'data');
  }
  replyPath(id: string): string {
    return path.join(this.root, id, 'reply');
  }

  /** Sessions open now that this process knows of, expired ones excluded. */
  count(): number {
    this.sweep();
    return this.#sessions.size;
  }

  /** The open sessions this process knows of, as last read, expired ones excluded. */
  list(): SessionState[] {
    return [...this.#sessions.keys()].flatMap((id) => (this.#expire(id) ? [] : (this.#sessions.get(id) ?? [])));
  }

  /**
   * The session as it is on disk now, or undefined when unknown, ended (by any process) or
   * expired. Call it under the session's lock to act on it.
   */
  async get(id: string): Promise<SessionState | undefined> {
    const s = await readState(this.dir(id), id);
    if (!s) {
      this.#sessions.delete(id);
      return undefined;
    }
    this.#sessions.set(id, s);
    return this.#expire(id) ? undefined : s;
  }

  /** Forgets `id` and deletes its folder when its last known state has expired. */
  #expire(id: string): boolean {
    const s = this.#sessions.get(id);
    if (!s || !this.#expired(s)) return false;
    this.#sessions.delete(id);
    // Best effort: a folder that cannot go now (a reply being read, on Windows) is expired again later.
    this.#removeFolder(id).catch(() => undefined);
    return true;
  }

  #expired(s: SessionState): boolean {
    return Date.now() - s.touched > (s.received === 0 && s.total === null ? this.#emptyTimeoutMs : this.#timeoutMs);
  }

  /**
   * Takes a slot for a new session synchronously (so maxSessions holds under concurrency), then
   * writes it: made whole under a temporary name, then renamed into place.
   */
  async create(state: SessionState): Promise<void> {
    this.#sessions.set(state.id, state);
    const temp = path.join(this.root, `.new-${state.id}`);
    try {
      await mkdir(temp);
      const fh = await open(path.join(temp, 'data'), 'wx');
      await fh.close();
      state.touched = Date.now();
      await writeFileAtomic(path.join(temp, 'state.json'), JSON.stringify(state));
      await rename(temp, this.dir(state.id));
      await syncFolder(this.root);
    } catch (e) {
      this.#sessions.delete(state.id);
      await rm(temp, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
  }

  /** Writes the state durably; the caller acks only after this resolves. Fails when the session's folder is gone. */
  async save(state: SessionState): Promise<void> {
    state.touched = Date.now();
    await writeFileAtomic(path.join(this.dir(state.id), 'state.json'), JSON.stringify(state));
    this.#sessions.set(state.id, state);
  }

  /** Ends a session: its folder (partial data, reply) goes. */
  async remove(id: string): Promise<void> {
    this.#sessions.delete(id);
    await this.#removeFolder(id);
  }

  async #removeFolder(id: string): Promise<void> {
    // One rename takes the session from every process at once; the delete may then take its time.
    const gone = path.join(this.root, `.gone-${id}-${randomUUID()}`);
    try {
      await rename(this.dir(id), gone);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    await syncFolder(this.root).catch(() => undefined);
    await rm(gone, { recursive: true, force: true });
  }

  /** Forgets and deletes expired sessions; at most once a second (unless `force`), since every Create-Session calls it. */
  sweep(now = Date.now(), force = false): void {
    if (!force && now - this.#lastSweep < 1000) return;
    this.#lastSweep = now;
    for (const id of [...this.#sessions.keys()]) this.#expire(id);
  }

  /**
   * Runs `fn` holding the session's lock: after every earlier call in this process, and while no
   * other process runs a packet of it. For a session already ended, `fn` runs without the file
   * lock (there is nothing to guard; its get() finds nothing).
   */
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.#serial(id, async () => {
      let lock: HeldLock | undefined;
      try {
        lock = await acquireLock(path.join(this.dir(id), 'lock'), { waitMs: this.#lockWaitMs });
      } catch (e) {
        if (!(e instanceof LockGoneError)) throw e;
      }
      try {
        return await fn();
      } finally {
        await lock?.release();
      }
    });
  }

  /** Runs `fn` holding the lock of a finished name (`key`), in this process and across processes. */
  withNameLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.#serial(`name:${key}`, async () => {
      const folder = path.join(this.root, LOCKS_FOLDER);
      await mkdir(folder, { recursive: true });
      const lock = await acquireLock(path.join(folder, key), { waitMs: this.#lockWaitMs });
      try {
        return await fn();
      } finally {
        await lock.release();
      }
    });
  }

  /** Runs `fn` after every earlier call for the same key in this process has finished. */
  async #serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(key) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.#locks.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    }
  }
}
