// Fleet benchmark (host Node; run by `npm run bench` or alone with
// `node bench/fleet-bench.mjs [results.json]` after `npm run build:ts`).
//
// Throughput of the upload server as a node:cluster fleet of 1 and of 2
// workers sharing one directory (round-robin), each against the fsync'd PUT
// yardstick of bench/upload-wire.mjs. STREAMS uploads run at once against each
// contender, every one on its own keep-alive connection, in 8 MiB fragments.
// Rounds rotate the order of the three contenders, so disk and CPU drift hit
// each alike; the figures are the medians, as ratios to the PUT of the same run.
import cluster from 'node:cluster';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer } from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { bitsUpload, median, putUpload, putYardstick } from './upload-wire.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const FRAGMENT = 8 << 20;
const STREAMS = 4;
const FILE_BYTES = 3 * FRAGMENT; // per stream per round: 96 MiB per contender per round
const ROUNDS = 9;

/** A fleet of `count` workers on `dir`, or (count 0) the PUT yardstick; prints {port}. */
async function serve(mode, dir, count) {
  if (mode === 'put') {
    const yardstick = createServer(putYardstick((url) => path.join(dir, `${url.searchParams.get('name')}.bin`)));
    // A contender's connections idle while the other two run: longer than Node's 5 s keep-alive timeout.
    yardstick.keepAliveTimeout = 120_000;
    yardstick.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: yardstick.address().port })}\n`));
    return;
  }
  if (cluster.isPrimary) {
    cluster.schedulingPolicy = cluster.SCHED_RR;
    let listening = 0;
    for (let i = 0; i < count; i++) {
      cluster.fork().on('listening', (a) => {
        if (++listening === count) process.stdout.write(`${JSON.stringify({ port: a.port })}\n`);
      });
    }
    return;
  }
  const { createUploadServer } = await import(pathToFileURL(path.join(root, 'dist', 'upload-server', 'index.js')).href);
  const server = createUploadServer({ directory: dir, maxFileSize: 1 << 30 });
  server.keepAliveTimeout = 120_000;
  server.listen(0, '127.0.0.1');
}

async function start(args, children) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server ${args.join(' ')} exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (l) => resolve(JSON.parse(l).port));
  });
}

async function main(resultsFile) {
  const dir = path.join(root, 'bench', 'tmp', `fleet-${process.pid}`);
  const children = [];
  try {
    const folders = { put: path.join(dir, 'put'), one: path.join(dir, 'one'), two: path.join(dir, 'two') };
    for (const f of Object.values(folders)) mkdirSync(f, { recursive: true });
    const ports = { put: await start(['--serve', 'put', folders.put, '0'], children), one: await start(['--serve', 'fleet', folders.one, '1'], children), two: await start(['--serve', 'fleet', folders.two, '2'], children) };
    const data = randomBytes(FRAGMENT);
    const agents = Array.from({ length: STREAMS }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
    const round = async (which, n) => {
      const t = performance.now();
      await Promise.all(agents.map((agent, s) => (which === 'put' ? putUpload(agent, ports.put, data, FILE_BYTES, `name=s${s}&`) : bitsUpload(agent, ports[which], `r${n}-s${s}.bin`, data, FILE_BYTES))));
      const mibps = (STREAMS * FILE_BYTES) / (1 << 20) / ((performance.now() - t) / 1000);
      if (which !== 'put') for (let s = 0; s < STREAMS; s++) rmSync(path.join(folders[which], `r${n}-s${s}.bin`), { force: true });
      return mibps;
    };
    for (const which of ['put', 'one', 'two']) await round(which, 'warm');
    const rounds = [];
    const order = ['put', 'one', 'two'];
    for (let i = 0; i < ROUNDS; i++) {
      const r = {};
      for (let k = 0; k < order.length; k++) {
        const which = order[(i + k) % order.length];
        r[which] = await round(which, i);
      }
      rounds.push(r);
      console.log(`fleet bench: round ${i + 1}/${ROUNDS}: PUT+fsync ${r.put.toFixed(0)}, 1 worker ${r.one.toFixed(0)}, 2 workers ${r.two.toFixed(0)} MiB/s`);
    }
    for (const a of agents) a.destroy();
    const m = { put: median(rounds.map((r) => r.put)), one: median(rounds.map((r) => r.one)), two: median(rounds.map((r) => r.two)) };
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      streams: STREAMS,
      fragmentBytes: FRAGMENT,
      bytesPerContenderPerRound: STREAMS * FILE_BYTES,
      rounds,
      medianMiBps: { putWithFsync: m.put, oneWorker: m.one, twoWorkers: m.two },
      ratioToPut: { oneWorker: m.one / m.put, twoWorkers: m.two / m.put },
    };
    mkdirSync(path.dirname(resultsFile), { recursive: true });
    writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`fleet bench: 1 worker ${result.ratioToPut.oneWorker.toFixed(2)}x, 2 workers ${result.ratioToPut.twoWorkers.toFixed(2)}x the PUT+fsync (${m.put.toFixed(0)} MiB/s)`);
    console.log(`fleet bench: results in ${path.relative(root, resultsFile)}`);
  } finally {
    for (const c of children) c.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3], process.argv[4], Number(process.argv[5]));
else await main(process.argv[2] ?? path.join(root, 'bench', 'results', `${new Date().toISOString().slice(0, 10)}-fleet.json`));
