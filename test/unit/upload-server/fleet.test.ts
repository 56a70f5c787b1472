// A fleet: a node:cluster primary with 4 workers sharing one directory, the
// connections handed out round-robin, each packet on a new connection, so
// consecutive packets of one session reach different processes. The client
// (test/support/bits-uploader.ts) behaves as Windows' BITS client: 20 uploads
// of 8 MiB at once in 1 MiB fragments, a reset or unanswered request retried,
// the next fragment from the last ack's BITS-Received-Content-Range.
// A worker SIGKILLed while the primary hands it a connection leaves that
// connection open and unanswered (node:cluster's primary keeps it); BITS's
// receive timeout covers that, and so does the test client's.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, test } from 'vitest';

import type { UploadEvent } from '../../../lib/upload-server/index.js';
import { bitsUpload } from '../../support/bits-uploader.js';
import { compiledModule } from '../../support/compiled-child.js';
import { tempDir, until } from '../../support/upload-fixture.js';

const WORKERS = 4;
const UPLOADS = 20;
const SIZE = 8 << 20;
const FRAGMENT = 1 << 20;
const PRIMARY = fileURLToPath(new URL('../../support/fleet-cluster.mjs', import.meta.url));
/** [MC-BUP] 2.2.1.2 / 3.1.5.2.1: BG_E_SESSION_NOT_FOUND sends the client back to Create-Session, from byte 0. */
const SESSION_NOT_FOUND = '0x8020001F';

interface Seen {
  worker: number;
  pid: number;
  event: UploadEvent;
}

interface Fleet {
  proc: ChildProcess;
  port: number;
  seen: Seen[];
  killed: number[];
  restarted: number[];
  kill(slot: number): void;
}

const fleets: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const p of fleets.splice(0)) p.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function startFleet(dir: string): Promise<Fleet> {
  const index = compiledModule('upload-server', 'index.js');
  const proc = spawn(process.execPath, [PRIMARY, index, dir, String(WORKERS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  fleets.push(proc);
  const fleet: Omit<Fleet, 'port'> = { proc, seen: [], killed: [], restarted: [], kill: (slot) => proc.stdin?.write(`kill ${slot}\n`) };
  const port = await new Promise<number>((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`fleet exited with ${code}`)));
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const m = JSON.parse(line) as { port?: number; restarted?: number; killed?: number } & Partial<Seen>;
      if (m.event) fleet.seen.push(m as Seen);
      else if (m.restarted !== undefined) fleet.restarted.push(m.restarted);
      else if (m.killed !== undefined) fleet.killed.push(m.killed);
      else if (m.port) resolve(m.port);
    });
  });
  return { ...fleet, port };
}

async function run(killMidway: boolean): Promise<void> {
  const dir = tempDir();
  dirs.push(dir);
  const fleet = await startFleet(dir);
  const files = Array.from({ length: UPLOADS }, () => randomBytes(SIZE));
  const acked = files.map(() => 0);
  const uploads = files.map((data, i) =>
    bitsUpload(`http://127.0.0.1:${fleet.port}`, `/up/file-${i}.bin`, data, {
      fragmentSize: FRAGMENT,
      answerTimeoutMs: 5000,
      attempts: 30,
      onAck: (received) => (acked[i] = received),
    }),
  );
  if (killMidway) {
    // A quarter of the bytes acked: fragments are in flight everywhere when the worker dies.
    await until(() => acked.reduce((a, b) => a + b, 0) >= (UPLOADS * SIZE) / 4, 'a quarter of the bytes acked', 40_000);
    fleet.kill(1);
    await until(() => fleet.restarted.includes(1), 'worker 1 restarted', 20_000);
  }
  const results = await Promise.all(uploads);
  for (const [i, data] of files.entries()) expect(readFileSync(path.join(dir, 'up', `file-${i}.bin`)).equals(data), `file-${i}.bin`).toBe(true);
  // [MC-BUP] 3.1.5.2.1: no packet was told its session does not exist, so no upload started over.
  expect(results.map((r) => r.sessionsLost)).toEqual(files.map(() => 0));
  expect(results.map((r) => r.sessions)).toEqual(files.map(() => 1));
  const events = fleet.seen.map((s) => s.event);
  expect(events.filter((e) => e.type === 'refused' && e.code === SESSION_NOT_FOUND)).toEqual([]);
  // The fleet really split sessions: most sessions had packets served by more than one worker.
  const servedBy = new Map<string, Set<number>>();
  for (const s of fleet.seen) if ('sessionId' in s.event && s.event.sessionId) servedBy.set(s.event.sessionId, (servedBy.get(s.event.sessionId) ?? new Set()).add(s.worker));
  expect([...servedBy.values()].filter((w) => w.size > 1).length).toBeGreaterThan(UPLOADS / 2);
  if (killMidway) {
    expect(fleet.killed).toEqual([1]);
    // The kill cost retries (connections reset or left unanswered), not bytes.
    expect(results.reduce((n, r) => n + r.retries, 0)).toBeGreaterThan(0);
  }
  // Nothing left behind: every session's folder went with its Close-Session.
  expect(readdirSync(path.join(dir, '.bits-sessions')).filter((f) => !f.startsWith('.'))).toEqual([]);
}

describe('a node:cluster fleet on one shared directory', () => {
  test(`${WORKERS} workers, round-robin, ${UPLOADS} concurrent uploads of 8 MiB: all byte-identical, none refused with SESSION_NOT_FOUND`, async () => {
    await run(false);
  }, 90_000);

  test('the same with one worker SIGKILLed mid-run and restarted: the clients retry as BITS does, nothing acked is lost', async () => {
    await run(true);
  }, 90_000);
});
