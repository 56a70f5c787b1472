// The lock file that serialises a session's packets across processes: taken
// and released, waited for without blocking, taken over when its owner died
// (a SIGKILLed process on this host at once; another host's after its lease),
// kept by a live owner's heartbeat, and never removed from under a live owner.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import { LockBusyError, LockGoneError, acquireLock } from '../../../lib/upload-server/session-lock.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = (): string => (dir = mkdtempSync(path.join(tmpdir(), 'bits-lock-')));

/** A process that held the lock and died by SIGKILL: its pid is gone. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  const pid = child.pid as number;
  await new Promise((r) => {
    child.once('exit', r);
    child.kill('SIGKILL');
  });
  return pid;
}

describe('acquireLock', () => {
  test('one holder at a time among concurrent takers; the file goes with the last release', async () => {
    const file = path.join(fresh(), 'lock');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const lock = await acquireLock(file, { waitMs: 10_000 });
        most = Math.max(most, ++inside);
        await new Promise((r) => setImmediate(r));
        inside--;
        await lock.release();
      }),
    );
    expect(most).toBe(1);
    expect(existsSync(file)).toBe(false);
  });

  test('a lock whose owner on this host was SIGKILLed is taken over at once, not after the lease', async () => {
    const file = path.join(fresh(), 'lock');
    writeFileSync(file, JSON.stringify({ pid: await deadPid(), host: hostname(), nonce: 'dead' }));
    const started = Date.now();
    const lock = await acquireLock(file, { waitMs: 5000, staleMs: 60_000 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  test("another host's lock is waited for while fresh (LockBusyError at the bound) and taken once older than the lease", async () => {
    const file = path.join(fresh(), 'lock');
    writeFileSync(file, JSON.stringify({ pid: 1, host: 'elsewhere.example', nonce: 'far' }));
    await expect(acquireLock(file, { waitMs: 200, staleMs: 60_000 })).rejects.toBeInstanceOf(LockBusyError);
    const old = new Date(Date.now() - 120_000);
    utimesSync(file, old, old);
    const lock = await acquireLock(file, { waitMs: 200, staleMs: 60_000 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  test("a live holder's heartbeat keeps its lock past the lease; a waiter gets LockBusyError", async () => {
    const file = path.join(fresh(), 'lock');
    const holder = await acquireLock(file, { waitMs: 1000, staleMs: 1000 });
    // Three leases long: without the heartbeat the waiter would take it over by age.
    // The lease is 1 s (a beat every 333 ms), not less: in a CI run beside Wine's
    // processes a 150 ms lease lost two beats to a busy event loop and the waiter
    // took the lock from a live holder, as the lease says it then may.
    await expect(acquireLock(file, { waitMs: 3000, staleMs: 1000 })).rejects.toBeInstanceOf(LockBusyError);
    await holder.release();
  });

  test("an owner whose lock was taken over does not remove the new owner's lock when it releases", async () => {
    const file = path.join(fresh(), 'lock');
    const slow = await acquireLock(file, { waitMs: 1000 });
    // Judged stale by another host's rules (its lease run out): rewrite as a foreign, old lock.
    writeFileSync(file, JSON.stringify({ pid: 1, host: 'elsewhere.example', nonce: (JSON.parse(readFileSync(file, 'utf8')) as { nonce: string }).nonce }));
    const old = new Date(Date.now() - 120_000);
    utimesSync(file, old, old);
    const next = await acquireLock(file, { waitMs: 1000, staleMs: 60_000 });
    await slow.release();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    await expect(acquireLock(file, { waitMs: 100 })).rejects.toBeInstanceOf(LockBusyError);
    await next.release();
    expect(existsSync(file)).toBe(false);
  });

  test('a lock in a folder that is gone (the session ended) is LockGoneError, not a wait', async () => {
    await expect(acquireLock(path.join(fresh(), 'no-such-session', 'lock'), { waitMs: 5000 })).rejects.toBeInstanceOf(LockGoneError);
  });
});
