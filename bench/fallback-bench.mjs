// Fallback (plain-HTTP) benchmark: host Node, any OS, no BITS. Run alone with
// `node bench/fallback-bench.mjs [results.json]` after `npm run build:ts`.
//
// Download throughput: the same file from the same range server (the tests'
// range-server.mjs, in a child process), fetched by (a) httpDownload, which
// writes a .partial, fsyncs it and renames it into place, and (b) a yardstick:
// Node's global fetch with its body piped to a file (no fsync). Rounds alternate
// between the two in one run, so drift hits both alike; the figure is the ratio
// of median throughputs (goal >= 0.95).
// Memory: one 1 GiB httpDownload with this process's RSS sampled every 20 ms;
// the growth is the peak minus the RSS just before (goal < 64 MB).
// Upload: httpUpload of a file to windows-bits/upload-server (in the child),
// median throughput reported, with a plain PUT of the same bytes to the same
// child (streamed to a file, fsynced) as the yardstick.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const MiB = 1 << 20;
const ROUND_FILE = 128 * MiB;
const ROUNDS = 7;
const UPLOAD_FILE = 64 * MiB;
const UPLOAD_ROUNDS = 5;

/** The child: the range server (two files), the upload server, and a PUT sink. */
async function child(dir) {
  const { startServer } = await import(pathToFileURL(path.join(root, 'test', 'support', 'range-server.mjs')).href);
  const { createUploadServer } = await import(pathToFileURL(path.join(root, 'dist', 'upload-server', 'index.js')).href);
  const files = await startServer({ 'round.bin': randomBytes(ROUND_FILE), 'gib.bin': Buffer.alloc(1 << 30, 7) });
  const uploads = createUploadServer({ directory: path.join(dir, 'uploads'), maxFileSize: 1 << 30 });
  mkdirSync(path.join(dir, 'uploads'), { recursive: true });
  await new Promise((r) => uploads.listen(0, '127.0.0.1', r));
  const sink = createServer(async (req, res) => {
    const file = path.join(dir, 'put.bin');
    await pipeline(req, createWriteStream(file));
    const fh = await open(file, 'r+');
    await fh.sync();
    await fh.close();
    res.end('ok');
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  process.stdout.write(`${JSON.stringify({ files: files.url(''), uploads: uploads.address().port, sink: sink.address().port })}\n`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mbps = (bytes, ms) => bytes / MiB / (ms / 1000);

async function timed(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function main() {
  const out = process.argv[2];
  const dir = mkdtempSync(path.join(tmpdir(), 'bits-fallback-bench-'));
  const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const ports = await new Promise((resolve, reject) => {
      proc.on('exit', (code) => reject(new Error(`child exited with ${code}`)));
      createInterface({ input: proc.stdout }).once('line', (line) => resolve(JSON.parse(line)));
    });
    const { httpDownload } = await import(pathToFileURL(path.join(root, 'dist', 'fallback', 'http-download.js')).href);
    const { httpUpload } = await import(pathToFileURL(path.join(root, 'dist', 'fallback', 'upload-client.js')).href);
    const url = `${ports.files}round.bin`;
    const dest = path.join(dir, 'round.bin');

    const ours = [];
    const yardstick = [];
    // A warm-up of each, not counted.
    await httpDownload(url, dest);
    await pipeline(Readable.fromWeb((await fetch(url)).body), createWriteStream(dest));
    for (let i = 0; i < ROUNDS; i++) {
      const contenders = [
        async () => {
          rmSync(dest, { force: true });
          ours.push(mbps(ROUND_FILE, await timed(() => httpDownload(url, dest))));
        },
        async () => {
          rmSync(dest, { force: true });
          yardstick.push(mbps(ROUND_FILE, await timed(async () => pipeline(Readable.fromWeb((await fetch(url)).body), createWriteStream(dest)))));
        },
      ];
      // Alternate which goes first.
      if (i % 2) contenders.reverse();
      for (const c of contenders) await c();
    }
    const download = { oursMBps: median(ours), fetchMBps: median(yardstick), ratio: median(ours) / median(yardstick), rounds: ROUNDS, fileMiB: ROUND_FILE / MiB };
    console.log(`download: httpDownload ${download.oursMBps.toFixed(0)} MB/s, fetch piped to a file ${download.fetchMBps.toFixed(0)} MB/s, ratio ${download.ratio.toFixed(2)}x (goal >= 0.95)`);

    // Memory: one 1 GiB download.
    rmSync(dest, { force: true });
    globalThis.gc?.();
    const before = process.memoryUsage.rss();
    let peak = before;
    const probe = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    await httpDownload(`${ports.files}gib.bin`, path.join(dir, 'gib.bin'));
    clearInterval(probe);
    peak = Math.max(peak, process.memoryUsage.rss());
    rmSync(path.join(dir, 'gib.bin'), { force: true });
    const memory = { fileMiB: 1024, rssGrowthMB: (peak - before) / 1e6 };
    console.log(`memory: 1 GiB download, RSS growth ${memory.rssGrowthMB.toFixed(1)} MB (goal < 64)`);

    // Upload.
    const local = path.join(dir, 'up.bin');
    writeFileSync(local, randomBytes(UPLOAD_FILE));
    const up = [];
    const put = [];
    for (let i = 0; i < UPLOAD_ROUNDS; i++) {
      up.push(mbps(UPLOAD_FILE, await timed(() => httpUpload(`http://127.0.0.1:${ports.uploads}/u/up-${i}.bin`, local))));
      put.push(
        mbps(
          UPLOAD_FILE,
          await timed(
            () =>
              new Promise((resolve, reject) => {
                const req = request({ host: '127.0.0.1', port: ports.sink, method: 'PUT', path: '/', headers: { 'content-length': String(UPLOAD_FILE) } }, (res) => res.resume().on('end', resolve));
                req.on('error', reject);
                createReadStream(local).pipe(req);
              }),
          ),
        ),
      );
    }
    const upload = { oursMBps: median(up), putMBps: median(put), ratio: median(up) / median(put), rounds: UPLOAD_ROUNDS, fileMiB: UPLOAD_FILE / MiB, fragmentMiB: 8 };
    console.log(`upload: httpUpload to upload-server ${upload.oursMBps.toFixed(0)} MB/s, plain PUT + fsync ${upload.putMBps.toFixed(0)} MB/s, ratio ${upload.ratio.toFixed(2)}x`);
    const results = { date: new Date().toISOString(), node: process.version, platform: process.platform, download, memory, upload };
    if (out) writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else await main();
