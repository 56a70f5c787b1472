// The package against raw C++ on the same BITS service in the same run, reported
// as ratios (these machines are noisy; see README). Runs under the Node that
// drives BITS: Windows', or Windows Node under Wine (scripts/bench.mjs sets it up).
// argv: <raw_bench.exe> <results json path>
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const root = fileURLToPath(new URL('..', import.meta.url));
const { BackgroundCopyManager } = await import(new URL('../dist/index.js', import.meta.url).href);
const raw = createRequire(import.meta.url)('node-gyp-build')(root);
const [rawExe, resultsPath] = process.argv.slice(2);
const N = Number(process.env.BENCH_ITERATIONS ?? 2000);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 20000);
const work = mkdtempSync(path.join(tmpdir(), 'windows-bits-bench-'));
const now = () => Number(process.hrtime.bigint());
const perCall = async (n, fn) => {
  const t = now();
  for (let i = 0; i < n; i++) await fn(i);
  return (now() - t) / n;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const log = (m) => console.log(m);

async function runFile(exe, args) {
  const out = path.join(work, `out-${Date.now()}.txt`);
  const fd = openSync(out, 'w');
  const child = spawn(exe, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const t = now();
  const code = await new Promise((r) => child.on('close', r));
  return { code, ms: (now() - t) / 1e6, text: readFileSync(out, 'utf8') };
}

// 1. The raw C++ loop, before and after the package's run: the mean of the two
// cancels most of the drift of a machine that warms up or gets busier.
async function rawBaseline() {
  const run = await runFile(rawExe, [String(N), work]);
  if (run.code !== 0) throw new Error(`raw_bench failed (${run.code}): ${run.text}`);
  return JSON.parse(run.text.trim().split('\n').pop());
}
log(`raw C++ baseline: ${N} iterations`);
const rawBefore = await rawBaseline();

// 2. The same calls through the package.
const manager = await BackgroundCopyManager.connect();
const job = await manager.createJob('bench');
const pkgNs = {};
pkgNs.getState = await perCall(N, () => job.getState());
pkgNs.getProgress = await perCall(N, () => job.getProgress());
pkgNs.queryJob4 = await perCall(N, async () => (await job.queryJob4()));
const files = Math.floor(N / 4);
let fileJob;
pkgNs.addFile = 0;
for (let i = 0; i < files; i++) {
  if (i % 100 === 0) {
    if (fileJob) await fileJob.cancel().then(() => fileJob.close());
    fileJob = await manager.createJob('bench files');
  }
  const t = now();
  await fileJob.addFile('http://127.0.0.1:9/x.bin', path.join(work, `pkg-${i}.bin`));
  pkgNs.addFile += now() - t;
}
pkgNs.addFile /= files;
await fileJob.cancel();
fileJob.close();
pkgNs.createJobCancel = await perCall(files, async () => {
  const j = await manager.createJob('bench create');
  await j.cancel();
  j.close();
});

const rawAfter = await rawBaseline();
const rawNs = Object.fromEntries(Object.keys(rawBefore).map((k) => [k, (rawBefore[k] + rawAfter[k]) / 2]));

// 3. Throughput with calls in flight against the raw sequential loop.
const throughput = {};
for (const k of [8, 64]) {
  const t = now();
  for (let done = 0; done < N; done += k) await Promise.all(Array.from({ length: Math.min(k, N - done) }, () => job.getState()));
  throughput[k] = N / ((now() - t) / 1e9);
}
const rawSequentialPerSec = 1e9 / rawNs.getState;

// 4. Event-loop health: a 1 ms timer's lateness idle, then with 1,000 calls in flight.
async function timerLateness(ms, busy) {
  const late = [];
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const end = now() + ms * 1e6;
  let inFlight = 0;
  let stop = false;
  const pump = async () => {
    while (!stop) {
      inFlight++;
      await job.getState();
      inFlight--;
    }
  };
  const pumps = busy ? Array.from({ length: 1000 }, pump) : [];
  while (now() < end) {
    const t = now();
    await new Promise((r) => setTimeout(r, 1));
    late.push((now() - t) / 1e6 - 1);
  }
  stop = true;
  await Promise.all(pumps);
  h.disable();
  return { p50: pct(late, 50), p99: pct(late, 99), max: Math.max(...late), loopDelayP99: h.percentile(99) / 1e6, loopDelayMax: h.max / 1e6, inFlightSeen: inFlight };
}
const idle = await timerLateness(2000, false);
const busy = await timerLateness(2000, true);

// 5. Callback to JS: how long an event takes from BITS calling us to our listener.
const body = Buffer.alloc(2_000_000, 7);
const server = createServer((req, res) => {
  res.writeHead(200, { 'Content-Length': String(body.length), 'Accept-Ranges': 'bytes' });
  let off = 0;
  const timer = setInterval(() => {
    const next = Math.min(body.length, off + 50_000);
    res.write(body.subarray(off, next));
    off = next;
    if (off >= body.length) {
      clearInterval(timer);
      res.end();
    }
  }, 10);
  res.on('close', () => clearInterval(timer));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const delays = [];
raw.setEventListener((e) => delays.push((now() - e.receivedAt) / 1e6));
const rawManager = await raw.connect();
for (let i = 0; i < 3; i++) {
  const j = await rawManager.createJob('bench events', 0);
  await j.addFile(`http://127.0.0.1:${server.address().port}/x`, path.join(work, `ev-${i}.bin`));
  await j.subscribe();
  await j.resume();
  while ((await j.getState()) !== 6) await new Promise((r) => setTimeout(r, 20));
  await j.cancel();
  j.close();
}
server.close();
rawManager.close();

// 6. Memory and references over many cycles.
const before = { rss: process.memoryUsage().rss, ...raw.debugStats() };
for (let i = 0; i < CYCLES; i++) {
  const j = await manager.createJob('cycle');
  await j.cancel();
  j.close();
}
for (let i = 0; i < CYCLES; i++) await job.getState();
globalThis.gc?.();
await job.getState(); // the releases above ran before this
const after = { rss: process.memoryUsage().rss, ...raw.debugStats() };

// 7. What a spawned bitsadmin/PowerShell costs at the least: one process start.
const starts = [];
for (let i = 0; i < 5; i++) starts.push((await runFile(process.execPath, ['-e', '0'])).ms);

await job.cancel();
job.close();
manager.close();
globalThis.gc?.();
// A connect() posted after every release runs after them; its own manager is the one reference left.
const probe = await raw.connect();
const atEnd = raw.debugStats().liveComObjects - 1;
probe.close();
rmSync(work, { recursive: true, force: true });

const ops = ['getState', 'getProgress', 'queryJob4', 'addFile', 'createJobCancel'];
const results = {
  date: new Date().toISOString(),
  platform: raw.debugStats().wine ? `Wine ${raw.debugStats().wine}` : 'Windows',
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  perCallNs: Object.fromEntries(ops.map((o) => [o, { raw: Math.round(rawNs[o]), package: Math.round(pkgNs[o]), ratio: +(pkgNs[o] / rawNs[o]).toFixed(3) }])),
  throughput: {
    rawSequentialPerSec: Math.round(rawSequentialPerSec),
    inFlight8PerSec: Math.round(throughput[8]),
    inFlight64PerSec: Math.round(throughput[64]),
    ratio8: +(throughput[8] / rawSequentialPerSec).toFixed(3),
    ratio64: +(throughput[64] / rawSequentialPerSec).toFixed(3),
    raw4ThreadsPerSec: Math.round(1e9 / rawNs.getState4Threads),
  },
  timerLatenessMs: { idle, with1000InFlight: busy, p99DifferenceMs: +(busy.p99 - idle.p99).toFixed(3) },
  callbackToListenerMs: { events: delays.length, median: delays.length ? +pct(delays, 50).toFixed(3) : null, p99: delays.length ? +pct(delays, 99).toFixed(3) : null },
  memory: {
    cycles: CYCLES,
    rssGrowthMB: +((after.rss - before.rss) / 1048576).toFixed(2),
    liveComObjectsBefore: before.liveComObjects,
    liveComObjectsAfter: after.liveComObjects,
    liveComObjectsAtEnd: atEnd,
    processHandlesBefore: before.processHandles,
    processHandlesAfter: after.processHandles,
  },
  processStartMs: { median: +pct(starts, 50).toFixed(1), runs: starts.length },
};
writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);

log('\nper call (ns)      raw C++    package   package/raw');
for (const o of ops) {
  const r = results.perCallNs[o];
  log(`${o.padEnd(16)} ${String(r.raw).padStart(9)} ${String(r.package).padStart(10)}   ${r.ratio.toFixed(2)}`);
}
log(`\nthroughput: raw sequential ${results.throughput.rawSequentialPerSec}/s; package with 8 in flight ${results.throughput.inFlight8PerSec}/s (x${results.throughput.ratio8}), 64 in flight ${results.throughput.inFlight64PerSec}/s (x${results.throughput.ratio64}); raw C++ from 4 threads ${results.throughput.raw4ThreadsPerSec}/s`);
log(`1 ms timer lateness p99: idle ${idle.p99.toFixed(2)} ms, with 1,000 calls in flight ${busy.p99.toFixed(2)} ms (max ${busy.max.toFixed(2)} ms); event-loop delay p99 ${busy.loopDelayP99.toFixed(2)} ms`);
log(`callback -> listener: median ${results.callbackToListenerMs.median} ms, p99 ${results.callbackToListenerMs.p99} ms over ${delays.length} events`);
log(`${CYCLES} create/cancel + ${CYCLES} getState: RSS ${results.memory.rssGrowthMB >= 0 ? '+' : ''}${results.memory.rssGrowthMB} MB, live COM objects ${before.liveComObjects} -> ${after.liveComObjects} (${atEnd} once all is closed), handles ${before.processHandles} -> ${after.processHandles}`);
log(`a process start of this Node: median ${results.processStartMs.median} ms (= ${Math.round((results.processStartMs.median * 1e6) / results.perCallNs.getState.package)} getState calls)`);
log(`\nwritten to ${resultsPath}`);
