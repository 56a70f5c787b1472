// The CI smoke step: can BITS transfer at all here? One `bits download` of a
// generated file from a local range-capable server, with a deadline. On a CI
// runner that runs as a service, BITS refuses to transfer (ERROR_NOT_LOGGED_ON)
// and the test suite would fail as a hundred timeouts; this fails first, as one
// line that names the cause. Runs where BITS is: on Windows, or by hand under
// Wine with `node scripts/wine.mjs node scripts/smoke.mjs`.
// Exit 0 when the file arrived intact, 1 otherwise. Env: SMOKE_DEADLINE_S (120).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** HRESULT_FROM_WIN32(ERROR_NOT_LOGGED_ON) */
export const NOT_LOGGED_ON = 0x800704dd;
export const NOT_LOGGED_ON_LINE =
  "smoke: FAIL: ERROR_NOT_LOGGED_ON (0x800704DD): BITS transfers only while the job's owner is logged on; this runner runs as a service";

const hex = (hr) => `0x${(hr >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The step's decision, apart from the processes so that a unit test can hold it
 * to account. `run` is what happened: the CLI's exit code (null when killed), its
 * stdout (a --json document) and stderr, whether the deadline killed it, whether
 * the file arrived with the bytes that were served, and, after a deadline, the
 * job as `bits list`/`bits info` saw it.
 * @returns {{ ok: boolean, line: string }}
 */
export function verdict(run) {
  const doc = parseJson(run.stdout);
  const error = doc && typeof doc === 'object' && doc.error && typeof doc.error === 'object' ? doc.error : null;
  const hresults = [error?.hresult, run.job?.error?.hresult].filter((h) => typeof h === 'number').map((h) => h >>> 0);
  // The CLI's human output names the code as text; a --json document as a number.
  const text = `${run.stdout}\n${run.stderr}`;
  if (hresults.includes(NOT_LOGGED_ON) || /ERROR_NOT_LOGGED_ON|0x800704DD/i.test(text)) return { ok: false, line: NOT_LOGGED_ON_LINE };
  if (run.timedOut) {
    // Microsoft: a job whose owner logs off goes back to queued, and waits there.
    const queued = run.job?.state === 'queued' && !run.job.error ? ": BITS never started it, as when the job's owner is not logged on" : '';
    const job = run.job ? `; the job is ${run.job.state}${run.job.error ? ` with ${run.job.error.code} (${hex(run.job.error.hresult)})` : ''}${queued}` : '; no job of this run was found';
    return { ok: false, line: `smoke: FAIL: bits download did not finish within ${run.deadlineS} s${job}` };
  }
  if (run.code === 0 && run.intact) return { ok: true, line: `smoke: ok: bits download moved ${run.bytes} bytes from a local server intact` };
  if (run.code === 0) return { ok: false, line: 'smoke: FAIL: bits download exited 0 but the file did not arrive intact' };
  if (error) {
    const code = typeof error.hresult === 'number' ? ` ${error.code ?? ''} (${hex(error.hresult)})` : error.code ? ` ${error.code}` : '';
    return { ok: false, line: `smoke: FAIL: bits download failed:${code} ${String(error.message ?? '').split('\n')[0]}`.trimEnd() };
  }
  const first = text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? 'no output';
  return { ok: false, line: `smoke: FAIL: bits download exited ${run.code ?? 'by a signal'}: ${first}` };
}

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'dist', 'cli', 'main.js');

/** Runs the CLI with Node; output to files, since Windows Node under Wine cannot write to a pipe. */
async function bits(dir, args, deadlineMs) {
  const base = path.join(dir, `bits-${args[0]}-${Date.now()}`);
  const out = openSync(`${base}.out`, 'w');
  const err = openSync(`${base}.err`, 'w');
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill();
  }, deadlineMs);
  const code = await new Promise((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code: timedOut ? null : code, timedOut, stdout: readFileSync(`${base}.out`, 'utf8'), stderr: readFileSync(`${base}.err`, 'utf8') };
}

/** After a deadline: the job of this run as BITS sees it, found by its display name. */
async function findJob(dir, displayName) {
  const list = parseJson((await bits(dir, ['list', '--json'], 30_000)).stdout);
  const summary = list?.jobs?.find((j) => j.displayName === displayName);
  if (!summary) return null;
  const info = parseJson((await bits(dir, ['info', summary.id, '--json'], 30_000)).stdout);
  return { id: summary.id, state: summary.state, error: info?.error ?? null };
}

async function main() {
  if (!existsSync(cli)) {
    console.error("smoke: FAIL: dist/cli/main.js is missing: run 'npm run build' first");
    return 1;
  }
  const deadlineS = Number(process.env.SMOKE_DEADLINE_S ?? 120);
  const { startServer } = await import('../test/support/range-server.mjs');
  const body = randomBytes(1_000_000);
  const server = await startServer({ 'smoke.bin': body });
  const dir = mkdtempSync(path.join(tmpdir(), 'windows-bits-smoke-'));
  const dest = path.join(dir, 'smoke.bin');
  const displayName = `windows-bits smoke ${process.pid}`;
  try {
    // --no-progress-timeout: a job stuck in transient-error (how a logged-off
    // owner shows on Windows) turns into an error the CLI reports well before the deadline.
    const r = await bits(dir, ['download', server.url('smoke.bin'), dest, '--json', '--display-name', displayName, '--no-progress-timeout', '30'], deadlineS * 1000);
    const intact = existsSync(dest) && readFileSync(dest).equals(body);
    let job = null;
    if (r.timedOut) {
      job = await findJob(dir, displayName);
      // Cancelling a job while it transfers kills Wine's BITS service (README, "Testing on Linux with Wine"); elsewhere it is safe.
      if (job && !['transferring', 'connecting'].includes(job.state)) await bits(dir, ['cancel', job.id], 30_000);
    }
    const v = verdict({ ...r, intact, job, deadlineS, bytes: body.length });
    (v.ok ? console.log : console.error)(v.line);
    return v.ok ? 0 : 1;
  } finally {
    await server.close();
    // A killed CLI's files may still be held for a moment on Windows; the verdict stands either way.
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // left in the temp folder
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main();
