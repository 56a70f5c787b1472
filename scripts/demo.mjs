// npm run demo: the main job, seen working on Linux. A local HTTP server with a
// few generated files, slowed down so the progress bar is seen moving; `bits
// download` of them under Windows Node in Wine against Wine's BITS; then `bits
// list` and `bits info`; then a check that every file arrived intact.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ensureWine, nodeExe, root, stopWine, toWinePath, wine64, wineEnv } from './wine.mjs';

const cli = path.join(root, 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  console.error("demo: dist/ is missing; run 'bash scripts/setup.sh' (or 'npm run build') first");
  process.exit(1);
}
if (process.platform === 'win32') {
  console.error('demo: on Windows, run the CLI directly: node dist/cli/main.js download <url> <dest>');
  process.exit(1);
}
ensureWine({ quiet: true });

const files = { 'setup.exe': randomBytes(3_000_000), 'data.pak': randomBytes(2_000_000), 'readme.txt': Buffer.from('windows-bits demo\n'.repeat(5000)) };
const BYTES_PER_SECOND = 1_200_000;
const server = createServer((req, res) => {
  const body = files[decodeURIComponent((req.url ?? '/').slice(1))];
  if (!body) return void res.writeHead(404, { 'Content-Length': '0' }).end();
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const start = m ? Number(m[1]) : 0;
  const end = m && m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
  const headers = { 'Content-Length': String(end - start + 1), 'Accept-Ranges': 'bytes', 'Last-Modified': 'Wed, 01 Jan 2025 00:00:00 GMT' };
  if (m) headers['Content-Range'] = `bytes ${start}-${end}/${body.length}`;
  res.writeHead(m ? 206 : 200, headers);
  if (req.method === 'HEAD') return void res.end();
  let offset = start;
  const timer = setInterval(() => {
    const next = Math.min(end + 1, offset + BYTES_PER_SECOND / 20);
    const done = next > end;
    res.write(body.subarray(offset, next));
    offset = next;
    if (done) {
      clearInterval(timer);
      res.end();
    }
  }, 50);
  res.on('close', () => clearInterval(timer));
});
// Idle connections stay open: Wine's BITS fails a job whose request meets Node's
// keep-alive close (README, Wine list).
server.keepAliveTimeout = 0;
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
const dest = mkdtempSync(path.join(tmpdir(), 'windows-bits-demo-'));
const log = path.join(dest, '.session.log');

/**
 * Runs `bits ...` under a pseudo-terminal (Windows Node under Wine cannot write
 * to a pipe), so the bar is live. Asynchronously: the HTTP server above lives in
 * this process's event loop.
 */
async function bits(...args) {
  const quoted = [wine64, nodeExe, toWinePath(cli), ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  console.log(`\n$ bits ${args.join(' ')}`);
  const child = spawn('script', ['-qefc', quoted, log], { stdio: ['ignore', 'inherit', 'inherit'], env: wineEnv(), cwd: root });
  const status = await new Promise((resolve) => child.on('close', (code) => resolve(code)));
  return { status, output: readFileSync(log, 'utf8') };
}

let failed = false;
try {
  const dl = await bits('download', ...Object.keys(files).map((f) => `${base}/${f}`), toWinePath(dest), '--display-name', 'windows-bits demo');
  const id = /job (\{[0-9A-F-]{36}\})/.exec(dl.output)?.[1];
  if (dl.status !== 0 || !id) throw new Error(`bits download failed (exit ${dl.status})`);
  await bits('list');
  await bits('info', id);
  console.log('\ndemo: checking the files on the Linux side');
  for (const [name, body] of Object.entries(files)) {
    const file = path.join(dest, name);
    const ok = existsSync(file) && createHash('sha256').update(readFileSync(file)).digest('hex') === createHash('sha256').update(body).digest('hex');
    console.log(`  ${ok ? '✓' : '✗'} ${name} (${body.length} bytes)`);
    if (!ok) failed = true;
  }
  console.log(failed ? '\ndemo: FAILED: a file did not arrive intact' : `\ndemo: all ${Object.keys(files).length} files arrived intact through Wine's BITS.`);
} catch (e) {
  console.error(`\ndemo: ${e.message}`);
  failed = true;
} finally {
  server.close();
  stopWine();
  rmSync(dest, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
