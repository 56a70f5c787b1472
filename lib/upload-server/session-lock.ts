// A lock that holds across every process sharing one `directory`: node:cluster
// workers, or servers on several hosts mounting one folder. It is a file made
// with an exclusive create ('wx'), holding its owner's pid, host and a nonce.
// Waiting never blocks the event loop: a taken lock is tried again after an
// async, growing, jittered pause, up to a bound, after which LockBusyError
// tells the caller to answer a transient error.
//
// A lock whose owner died (SIGKILL, a crash, a lost host) is stale and taken
// over: at once when the owner was on this host and its pid is gone; after
// `staleMs` without a heartbeat otherwise (a live owner refreshes the file's
// mtime every staleMs / 3, so a long fragment or onUpload keeps its lock).
// Taking over goes through a marker named after the stale owner's nonce, made
// with 'wx' too: only one process removes a given stale lock, and it checks
// under the marker that the file still names that owner, so a lock taken
// meanwhile by a live process is never removed.
import { randomUUID } from 'node:crypto';
import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';

/** The lock stayed taken for the whole wait. */
export class LockBusyError extends Error {
  override readonly name = 'LockBusyError';
}

/** The folder meant to hold the lock is gone (for a session's lock: the session ended). */
export class LockGoneError extends Error {
  override readonly name = 'LockGoneError';
}

interface Owner {
  pid: number;
  host: string;
  nonce: string;
}

export interface LockOptions {
  /** How long to wait for a taken lock before LockBusyError. */
  waitMs: number;
  /** A lock not refreshed for this long is stale, whoever owns it. Default 30 s. */
  staleMs?: number;
}

/** A lock held; release() gives it back (once). */
export interface HeldLock {
  release(): Promise<void>;
}

const HOST = hostname();
/** A marker left by a process that died while taking over a stale lock; the takeover itself takes milliseconds. */
const MARKER_STALE_MS = 10_000;
/** A lock file still empty this long after its mtime: its maker died between create and write. */
const EMPTY_STALE_MS = 5_000;

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/** Whether `pid` names a process on this host (EPERM: it exists, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return code(e) === 'EPERM';
  }
}

async function readOwner(file: string): Promise<{ owner: Owner | null; age: number } | null> {
  try {
    const [text, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    let owner: Owner | null = null;
    try {
      const o = JSON.parse(text) as Partial<Owner>;
      if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.nonce === 'string') owner = { pid: o.pid, host: o.host, nonce: o.nonce };
    } catch {
      owner = null;
    }
    return { owner, age: Date.now() - st.mtimeMs };
  } catch (e) {
    if (code(e) === 'ENOENT') return null;
    throw e;
  }
}

async function unlinkQuietly(file: string): Promise<void> {
  await unlink(file).catch((e: unknown) => {
    if (code(e) !== 'ENOENT') throw e;
  });
}

/**
 * Removes `file` if it still names owner `nonce` (null: still empty), under that owner's
 * takeover marker; false when another process is at it.
 */
async function takeOver(file: string, nonce: string | null): Promise<boolean> {
  const marker = `${file}.${nonce ?? 'empty'}.steal`;
  let fh;
  try {
    fh = await open(marker, 'wx');
  } catch (e) {
    if (code(e) === 'ENOENT') throw new LockGoneError(`${file}: folder gone`);
    if (code(e) !== 'EEXIST') throw e;
    const st = await stat(marker).catch(() => null);
    if (st && Date.now() - st.mtimeMs > MARKER_STALE_MS) await unlinkQuietly(marker);
    return false;
  }
  try {
    await fh.close();
    const now = await readOwner(file);
    if (now !== null && (now.owner?.nonce ?? null) === nonce) await unlinkQuietly(file);
    return true;
  } finally {
    await unlinkQuietly(marker).catch(() => undefined);
  }
}

function stale(found: { owner: Owner | null; age: number }, staleMs: number): boolean {
  if (!found.owner) return found.age > EMPTY_STALE_MS;
  if (found.owner.host === HOST && !alive(found.owner.pid)) return true;
  return found.age > staleMs;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes the lock `file`, waiting (asynchronously) up to `waitMs`; throws LockBusyError or LockGoneError. */
export async function acquireLock(file: string, options: LockOptions): Promise<HeldLock> {
  const staleMs = options.staleMs ?? 30_000;
  const me: Owner = { pid: process.pid, host: HOST, nonce: randomUUID() };
  const deadline = Date.now() + options.waitMs;
  let delay = 2;
  for (;;) {
    try {
      const fh = await open(file, 'wx');
      try {
        await fh.writeFile(JSON.stringify(me));
      } finally {
        await fh.close();
      }
      return held(file, me.nonce, staleMs);
    } catch (e) {
      if (code(e) === 'ENOENT') throw new LockGoneError(`${file}: folder gone`);
      if (code(e) !== 'EEXIST') throw e;
    }
    const found = await readOwner(file);
    if (found === null) continue; // released between our create and our read
    if (stale(found, staleMs) && (await takeOver(file, found.owner?.nonce ?? null))) continue;
    if (Date.now() >= deadline) throw new LockBusyError(`lock taken by another request for ${options.waitMs} ms`);
    // Jitter spreads waiters that would otherwise retry in step.
    await pause(Math.min(delay * (0.5 + Math.random()), Math.max(1, deadline - Date.now())));
    delay = Math.min(delay * 2, 100);
  }
}

function held(file: string, nonce: string, staleMs: number): HeldLock {
  // The heartbeat keeps a long holder's lock from looking stale to other hosts; unref'd, it never keeps a process alive.
  const beat = setInterval(() => {
    const now = new Date();
    utimes(file, now, now).catch(() => undefined);
  }, Math.max(1, Math.floor(staleMs / 3)));
  beat.unref();
  let released = false;
  return {
    async release(): Promise<void> {
      if (released) return;
      released = true;
      clearInterval(beat);
      // Only our own lock goes: one judged stale and taken over is someone else's now.
      const found = await readOwner(file).catch(() => null);
      if (found?.owner?.nonce === nonce) await unlinkQuietly(file).catch(() => undefined);
    },
  };
}
