// Upload benchmark (host Node, any OS; run by `npm run bench` or alone with
// `node bench/upload-bench.mjs [results.json]` after `npm run build:ts`).
//
// Throughput: the same bytes are sent, in 13 MiB fragments over one keep-alive
// connection each, to (a) windows-bits/upload-server's handler as BITS_POST
// Fragments and (b) the fsync'd PUT yardstick of bench/upload-wire.mjs.
// Rounds alternate between the two in the same run, so disk and CPU drift hit
// both alike; the figure is the ratio of median throughputs (goal >= 1.0).
// Memory: one 1 GiB upload through the handler, with the server's RSS sampled
// every 20 ms; the growth is the peak minus the RSS just before.
// Both servers run in a child process so that RSS is the server's alone.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer } from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { bitsUpload, median, putUpload, putYardstick, send } from './upload-wire.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const FRAGMENT = 13 << 20;
const ROUND_BYTES = 8 * FRAGMENT; // 104 MiB per contender per round
const ROUNDS = 9;
const GIB = 1 << 30;


/** The child: the upload server, the PUT yardstick, and an RSS probe. */
async function server(dir) {
  const { createUploadServer } = await import(pathToFileURL(path.join(root, 'dist', 'upload-server', 'index.js')).href);
  const uploads = createUploadServer({ directory: path.join(dir, 'bits'), maxFileSize: 2 * GIB });
  let peak = 0;
  setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20).unref();
  const put = putYardstick(() => path.join(dir, 'put.bin'));
  const yardstick = createServer((req, res) => {
    if (req.method === 'GET') {
      // The RSS probe: the current RSS, the peak since the last probe; then the peak restarts.
      const rss = process.memoryUsage.rss();
      res.end(JSON.stringify({ rss, peak: Math.max(peak, rss) }));
      peak = rss;
      return;
    }
    void put(req, res);
  });
  mkdirSync(path.join(dir, 'bits'), { recursive: true });
  await new Promise((r) => uploads.listen(0, '127.0.0.1', r));
  await new Promise((r) => yardstick.listen(0, '127.0.0.1', r));
  process.stdout.write(`${JSON.stringify({ bits: uploads.address().port, put: yardstick.address().port })}\n`);
}

const mibps = (bytes, ms) => bytes / (1 << 20) / (ms / 1000);

async function main(resultsFile) {
  const dir = path.join(root, 'bench', 'tmp', `upload-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--server', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const ports = await new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
      createInterface({ input: child.stdout }).once('line', (l) => resolve(JSON.parse(l)));
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const data = randomBytes(FRAGMENT);
    const rounds = [];
    let n = 0;
    // A warm-up of each, then alternating rounds (which goes first alternates too).
    await bitsUpload(agent, ports.bits, 'warm.bin', data, 2 * FRAGMENT);
    await putUpload(agent, ports.put, data, 2 * FRAGMENT);
    for (let i = 0; i < ROUNDS; i++) {
      const timed = async (f) => {
        const t = performance.now();
        await f();
        return mibps(ROUND_BYTES, performance.now() - t);
      };
      const order = i % 2 === 0 ? ['bits', 'put'] : ['put', 'bits'];
      const r = {};
      for (const which of order) r[which] = await timed(() => (which === 'bits' ? bitsUpload(agent, ports.bits, `r${n++}.bin`, data, ROUND_BYTES) : putUpload(agent, ports.put, data, ROUND_BYTES)));
      rounds.push(r);
      console.log(`upload bench: round ${i + 1}/${ROUNDS}: handler ${r.bits.toFixed(0)} MiB/s, PUT+fsync ${r.put.toFixed(0)} MiB/s`);
      rmSync(path.join(dir, 'bits', `r${n - 1}.bin`), { force: true });
    }
    const bits = median(rounds.map((r) => r.bits));
    const put = median(rounds.map((r) => r.put));
    // Memory: 1 GiB through the handler, RSS sampled in the server.
    const before = JSON.parse((await send(agent, ports.put, 'GET', '/rss', {})).body.toString());
    const t = performance.now();
    await bitsUpload(agent, ports.bits, 'gib.bin', data, GIB);
    const gibMs = performance.now() - t;
    const after = JSON.parse((await send(agent, ports.put, 'GET', '/rss', {})).body.toString());
    agent.destroy();
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      fragmentBytes: FRAGMENT,
      roundBytes: ROUND_BYTES,
      rounds,
      medianMiBps: { handler: bits, putWithFsync: put },
      ratio: bits / put,
      goalRatio: 1.0,
      oneGiB: { seconds: gibMs / 1000, rssBeforeMiB: before.rss / (1 << 20), rssPeakMiB: after.peak / (1 << 20), rssGrowthMiB: (after.peak - before.rss) / (1 << 20), goalGrowthMiB: 64 },
    };
    mkdirSync(path.dirname(resultsFile), { recursive: true });
    writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`upload bench: handler ${bits.toFixed(0)} MiB/s vs PUT+fsync ${put.toFixed(0)} MiB/s: ratio ${result.ratio.toFixed(2)} (goal >= 1.0)`);
    console.log(`upload bench: 1 GiB in ${result.oneGiB.seconds.toFixed(1)} s, server RSS ${result.oneGiB.rssBeforeMiB.toFixed(0)} -> peak ${result.oneGiB.rssPeakMiB.toFixed(0)} MiB: growth ${result.oneGiB.rssGrowthMiB.toFixed(1)} MiB (goal < 64)`);
    console.log(`upload bench: results in ${path.relative(root, resultsFile)}`);
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--server') await server(process.argv[3]);
else await main(process.argv[2] ?? path.join(root, 'bench', 'results', `${new Date().toISOString().slice(0, 10)}-upload.json`));
