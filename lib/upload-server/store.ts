// Sessions on disk, so that nothing acked is lost when the server dies. Each
// session is a folder `directory/.bits-sessions/<guid>/` holding `data` (the
// bytes received so far, written in place), `state.json` (a few hundred bytes:
// owner, name, total, bytes acked) and, for upload-reply, `reply`. state.json is
// replaced atomically (temp file, fsync, rename, fsync of the folder), so after a
// SIGKILL it holds either the old or the new state, never a torn one; since an
// ack is sent only after the state naming its bytes is durable, a restarted
// server continues every session from its last ack. The store also serialises
// packets per session (a promise chain per id) while sessions run side by side.
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { OWNERS_FOLDER, SESSIONS_FOLDER } from './names.js';

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
  const temp = `${file}.${process.pid}.${++tempCounter}.tmp`;
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

/** Every session of one `directory`, in memory and on disk. */
export class SessionStore {
  readonly root: string;
  readonly #timeoutMs: number;
  readonly #emptyTimeoutMs: number;
  readonly #sessions = new Map<string, SessionState>();
  readonly #locks = new Map<string, Promise<void>>();
  #ready: Promise<void> | undefined;
  #lastSweep = 0;

  constructor(directory: string, timeoutMs: number, emptyTimeoutMs = timeoutMs) {
    this.root = path.join(directory, SESSIONS_FOLDER);
    this.#timeoutMs = timeoutMs;
    this.#emptyTimeoutMs = emptyTimeoutMs;
  }

  /**
   * Sweeps expired sessions' folders now and then, also when no request comes: as often as the
   * shorter timeout, at most once a minute. The timer is unref'd, so it never keeps a process alive.
   */
  #startSweeper(): void {
    const every = Math.min(this.#emptyTimeoutMs, this.#timeoutMs, 60_000);
    setInterval(() => this.sweep(), every).unref();
  }

  /** Creates the folders and loads the sessions a previous run left; runs once. */
  ready(): Promise<void> {
    this.#ready ??= this.#load().then(async () => {
      // Sessions a previous run left that expired meanwhile go at start, before the first answer.
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
      if (!entry.isDirectory() || entry.name === OWNERS_FOLDER) continue;
      let state: SessionState | undefined;
      try {
        state = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as SessionState;
      } catch {
        state = undefined;
      }
      // No state: a Create-Session that died before its ack; the client never got the id.
      if (state?.version !== 1 || state.id !== entry.name) await rm(dir, { recursive: true, force: true });
      else this.#sessions.set(state.id, state);
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

  /** Sessions open now, expired ones excluded. */
  count(): number {
    this.sweep();
    return this.#sessions.size;
  }

  /** The open sessions, expired ones excluded. */
  list(): SessionState[] {
    return [...this.#sessions.keys()].flatMap((id) => this.get(id) ?? []);
  }

  /** The session, or undefined when unknown or expired. */
  get(id: string): SessionState | undefined {
    const s = this.#sessions.get(id);
    if (s && this.#expired(s)) {
      this.#sessions.delete(id);
      // Best effort: a folder that cannot go now (a reply being read, on Windows) is expired again after a restart.
      this.#removeFolder(id).catch(() => undefined);
      return undefined;
    }
    return s;
  }

  #expired(s: SessionState): boolean {
    return Date.now() - s.touched > (s.received === 0 && s.total === null ? this.#emptyTimeoutMs : this.#timeoutMs);
  }

  /** Takes a slot for a new session synchronously (so maxSessions holds under concurrency), then writes it. */
  async create(state: SessionState): Promise<void> {
    this.#sessions.set(state.id, state);
    try {
      await mkdir(this.dir(state.id));
      const fh = await open(this.dataPath(state.id), 'wx');
      await fh.close();
      await this.save(state);
      await syncFolder(this.root);
    } catch (e) {
      this.#sessions.delete(state.id);
      await this.#removeFolder(state.id);
      throw e;
    }
  }

  /** Writes the state durably; the caller acks only after this resolves. */
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
    await rm(this.dir(id), { recursive: true, force: true });
    await syncFolder(this.root).catch(() => undefined);
  }

  /** Forgets and deletes expired sessions; at most once a second (unless `force`), since every Create-Session calls it. */
  sweep(now = Date.now(), force = false): void {
    if (!force && now - this.#lastSweep < 1000) return;
    this.#lastSweep = now;
    for (const id of [...this.#sessions.keys()]) this.get(id);
  }

  /** Runs `fn` after every earlier call for the same session has finished. */
  async withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(id) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.#locks.set(id, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#locks.get(id) === tail) this.#locks.delete(id);
    }
  }
}
