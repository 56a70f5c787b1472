// The package against raw C++ on the same BITS service in the same run, reported
// as ratios (these machines are noisy; see README). Runs under the Node that
// drives BITS: Windows', or Windows Node under Wine (bench/run.mjs, `npm run bench`, sets it up).
// argv: <raw_bench.exe> <results json path>
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { startServer } from '../test/support/range-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// The test addon, for its counters (debugStats, debugRoundTrip). The package uses
// the same copy: it loads its addon through this checkout's node-gyp-build, whose
// cached module answers with the test addon here.
const require = createRequire(import.meta.url);
const binding = require(path.join(root, 'build', 'test', 'windows_bits_test.node'));
const loadAddon = require('node-gyp-build');
require.cache[require.resolve('node-gyp-build')].exports = Object.assign(() => binding, loadAddon);
const { BackgroundCopyManager } = await import(new URL('../dist/index.js', import.meta.url).href);
const [rawBenchPath, resultsPath] = process.argv.slice(2);
const rawBench = require(rawBenchPath);
const N = Number(process.env.BENCH_ITERATIONS ?? 2000);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 20000);
const work = mkdtempSync(path.join(tmpdir(), 'windows-bits-bench-'));
const now = () => Number(process.hrtime.bigint());
// Each call's own time: medians resist this machine's stalls, which come in
// bursts that a mean spreads over every call.
const samples = async (n, fn) => {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = now();
    await fn(i);
    out[i] = now() - t;
  }
  return out;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const log = (m) => console.log(m);
// BG_JOB_STATE values of the raw binding.
const ERROR = 4;
const TRANSIENT_ERROR = 5;
const TRANSFERRED = 6;
const EVENT_JOB_DEADLINE_MS = Number(process.env.BENCH_JOB_DEADLINE_MS ?? 60_000);
/**
 * Polls a raw job until it is transferred. Throws, naming BITS's error, when the
 * job reaches error or transient-error (Windows would otherwise retry for hours),
 * and at the deadline: a bench must end, not hang its CI job.
 */
async function untilTransferred(j, deadlineMs) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const state = await j.getState();
    if (state === TRANSFERRED) return;
    if (state === ERROR || state === TRANSIENT_ERROR) {
      const e = await j.getError().catch((err) => ({ unreadable: String(err) }));
      throw new Error(`bench: the events job went to ${state === ERROR ? 'error' : 'transient-error'}: ${JSON.stringify(e, (_, v) => (typeof v === 'number' && v > 0x7fffffff ? `0x${v.toString(16).toUpperCase()}` : v))}`);
    }
    if (Date.now() > end) throw new Error(`bench: the events job was not transferred within ${deadlineMs} ms (state ${state})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function runFile(exe, args) {
  const out = path.join(work, `out-${Date.now()}.txt`);
  const fd = openSync(out, 'w');
  const child = spawn(exe, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const t = now();
  const code = await new Promise((r) => child.on('close', r));
  return { code, ms: (now() - t) / 1e6, text: readFileSync(out, 'utf8') };
}

// 1-3. The raw C++ loop and the package in alternating rounds, each round in
// the other order than the last: the drift of a machine that warms up or gets
// busier falls on both sides alike. The raw loop runs in this process, on a COM
// thread of its own, while the JS thread waits for it.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const manager = await BackgroundCopyManager.connect();
const job = await manager.createJob('bench');
rawBench.open();
const files = Math.floor(N / 4);
const packageRound = {
  getState: (n) => samples(n, () => job.getState()),
  getProgress: (n) => samples(n, () => job.getProgress()),
  queryJob4: (n) => samples(n, () => job.queryJob4()),
  async addFile(n) {
    const fileJob = await manager.createJob('bench files');
    const out = await samples(n, (i) => fileJob.addFile('http://127.0.0.1:9/x.bin', path.join(work, `pkg-${i}.bin`)));
    await fileJob.cancel();
    fileJob.close();
    return out;
  },
  createJobCancel: (n) =>
    samples(n, async () => {
      const j = await manager.createJob('bench create');
      await j.cancel();
      j.close();
    }),
};
// Throughput with k calls in flight: one sample per round, the mean time per call.
const inFlight = (k) => async (n) => {
  const t = now();
  for (let done = 0; done < n; done += k) await Promise.all(Array.from({ length: Math.min(k, n - done) }, () => job.getState()));
  return [(now() - t) / n];
};
async function sideBySide(rawOp, pkg, n) {
  for (let w = 0; w < 2; w++) {
    rawBench.run(rawOp, Math.max(4, Math.floor(n / 10)), work);
    await pkg(Math.max(4, Math.floor(n / 10)));
  }
  const raw = [];
  const mine = [];
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    const per = Math.max(4, Math.floor(n / ROUNDS));
    let a;
    let b;
    if (r % 2 === 0) {
      a = rawBench.run(rawOp, per, work);
      b = await pkg(per);
    } else {
      b = await pkg(per);
      a = rawBench.run(rawOp, per, work);
    }
    raw.push(...a);
    mine.push(...b);
    ratios.push(mean(b) / mean(a));
  }
  return { raw: { median: pct(raw, 50), mean: mean(raw) }, pkg: { median: pct(mine, 50), mean: mean(mine) }, rounds: ratios };
}
log(`raw C++ and the package side by side: ${N} calls per operation in ${ROUNDS} alternating rounds`);
const sides = {};
for (const op of Object.keys(packageRound)) {
  sides[op] = await sideBySide(op, packageRound[op], op === 'addFile' || op === 'createJobCancel' ? files : N);
  log(`  ${op}: x${(sides[op].pkg.median / sides[op].raw.median).toFixed(3)} (medians), x${(sides[op].pkg.mean / sides[op].raw.mean).toFixed(3)} (means)`);
}
const flight = {};
for (const k of [8, 64]) flight[k] = await sideBySide('getState', inFlight(k), N);
const raw4Threads = rawBench.run('getState4Threads', N, work);
rawBench.close();
// The package's own share of a call: to a COM thread and back with no COM call.
await samples(100, () => binding.debugRoundTrip());
const roundTripNs = mean(await samples(N, () => binding.debugRoundTrip()));

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

// 4b. Hops to the COM pool, counted by the test addon (callsScheduled). Before
// section 5, which takes the addon's event listener for itself.
// Per tick: one job watched by two objects with listeners, a wait and progress()
// at once; every read the watch makes reaches the wait's onProgress, so
// hops / reads is the cost of one tick for all of them together (goal: 1).
const hopsManager = await BackgroundCopyManager.connect();
const watched = await hopsManager.createJob('bench hops per tick');
const twin = await hopsManager.getJob(watched.id);
watched.pollIntervalMs = 50;
twin.pollIntervalMs = 50;
const noop = () => undefined;
watched.on('progress', noop);
twin.on('state', noop);
await watched.getState(); // the subscription above has been posted and run
let reads = 0;
const hopsBefore = binding.debugStats().callsScheduled;
const stopIterating = new AbortController();
const iterating = (async () => {
  for await (const _ of twin.progress({ intervalMs: 50, signal: stopIterating.signal }));
})().catch(() => undefined);
await watched.waitForTransfer({ pollIntervalMs: 50, timeoutMs: 3000, onProgress: () => reads++ }).catch(() => undefined);
stopIterating.abort();
await iterating;
const hopsPerTick = (binding.debugStats().callsScheduled - hopsBefore) / reads;
watched.off('progress', noop);
twin.off('state', noop);
// From a JobTransferred callback to the 'transferred' listener: the poller idle
// for an hour, so only the callback can bring it; every hop after resume() was
// posted and before the listener ran is counted (goal: 0).
const hopsServer = await startServer({ small: Buffer.alloc(100_000, 3) });
const byCallback = await hopsManager.createJob('bench hops callback');
await byCallback.addFile(hopsServer.url('small'), path.join(work, 'hops.bin'));
byCallback.pollIntervalMs = 3_600_000;
let atListener = -1;
// on(), not once(): once() removes its listener before calling it, and removing
// the last listener ends the watch's interest (an unsubscribe hop) first.
const onTransferred = () => {
  if (atListener < 0) atListener = binding.debugStats().callsScheduled;
};
const transferred = new Promise((resolve) => byCallback.on('transferred', () => (onTransferred(), resolve(undefined))));
await byCallback.getState(); // the watch's subscription and first read have run
const resuming = byCallback.resume();
const afterResumePosted = binding.debugStats().callsScheduled;
await resuming;
const callbackDeadline = new Promise((_, reject) => setTimeout(() => reject(new Error('bench: no JobTransferred callback within 60 s')), 60_000).unref());
await Promise.race([transferred, callbackDeadline]);
const hopsCallbackToListener = atListener - afterResumePosted;
for (const j of [watched, byCallback]) await j.cancel().catch(() => undefined);
for (const j of [watched, twin, byCallback]) j.close();
await hopsServer.close();
hopsManager.close();

// 5. Callback to JS: how long an event takes from BITS calling us to our listener.
// The tests' range-capable server: BITS on Windows sends Range requests and
// retries forever against a server that ignores them. Throttled to about 5 MB/s
// so that a transfer lasts long enough to raise a few events.
const body = Buffer.alloc(2_000_000, 7);
const server = await startServer({ x: body }, { bytesPerSecond: 5_000_000 });
const delays = [];
binding.setEventListener((e) => delays.push((now() - e.receivedAt) / 1e6));
const eventsManager = await binding.connect();
for (let i = 0; i < 3; i++) {
  const j = await eventsManager.createJob('bench events', 0);
  await j.addFile(server.url('x'), path.join(work, `ev-${i}.bin`));
  await j.subscribe();
  await j.resume();
  await untilTransferred(j, EVENT_JOB_DEADLINE_MS);
  await j.cancel();
  j.close();
}
await server.close();
eventsManager.close();

// 6. Memory and references over many cycles.
const before = { rss: process.memoryUsage().rss, ...binding.debugStats() };
for (let i = 0; i < CYCLES; i++) {
  const j = await manager.createJob('cycle');
  await j.cancel();
  j.close();
}
for (let i = 0; i < CYCLES; i++) await job.getState();
globalThis.gc?.();
await job.getState(); // the releases above ran before this
const after = { rss: process.memoryUsage().rss, ...binding.debugStats() };

// 7. What a spawned bitsadmin/PowerShell costs at the least: one process start.
const starts = [];
for (let i = 0; i < 5; i++) starts.push((await runFile(process.execPath, ['-e', '0'])).ms);

await job.cancel();
job.close();
manager.close();
globalThis.gc?.();
// A connect() posted after every release runs after them; its own manager is the one reference left.
const probe = await binding.connect();
const atEnd = binding.debugStats().liveComObjects - 1;
probe.close();
rmSync(work, { recursive: true, force: true });

const ops = ['getState', 'getProgress', 'queryJob4', 'addFile', 'createJobCancel'];
const results = {
  date: new Date().toISOString(),
  platform: binding.debugStats().wine ? `Wine ${binding.debugStats().wine}` : 'Windows',
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  rounds: ROUNDS,
  // Per call: the median and the mean of each call's own time, raw and package.
  // ratio: of the medians; ratioOfMeans beside it; roundRatios: of each round's means.
  perCallNs: Object.fromEntries(
    ops.map((o) => {
      const { raw: a, pkg: b, rounds } = sides[o];
      const r = [...rounds].sort((x, y) => x - y);
      const round = (v) => Math.round(v);
      return [
        o,
        {
          raw: { median: round(a.median), mean: round(a.mean) },
          package: { median: round(b.median), mean: round(b.mean) },
          ratio: +(b.median / a.median).toFixed(3),
          ratioOfMeans: +(b.mean / a.mean).toFixed(3),
          roundRatios: { min: +r[0].toFixed(3), median: +pct(r, 50).toFixed(3), max: +r[r.length - 1].toFixed(3) },
        },
      ];
    }),
  ),
  roundTripWithoutComCallNs: Math.round(roundTripNs),
  // Calls per second: the package with k calls in flight against the raw
  // sequential loop, in alternating rounds as above.
  throughput: {
    rawSequentialPerSec: Math.round(1e9 / ((flight[8].raw.mean + flight[64].raw.mean) / 2)),
    inFlight8PerSec: Math.round(1e9 / flight[8].pkg.mean),
    inFlight64PerSec: Math.round(1e9 / flight[64].pkg.mean),
    ratio8: +(flight[8].raw.mean / flight[8].pkg.mean).toFixed(3),
    ratio64: +(flight[64].raw.mean / flight[64].pkg.mean).toFixed(3),
    raw4ThreadsPerSec: Math.round(1e9 / raw4Threads[0]),
  },
  timerLatenessMs: { idle, with1000InFlight: busy, p99DifferenceMs: +(busy.p99 - idle.p99).toFixed(3) },
  hops: { perWatchTick: +hopsPerTick.toFixed(3), reads, callbackToTransferredListener: hopsCallbackToListener },
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

log('\nper call, median (ns)  raw C++    package   package/raw   (of the means)');
for (const o of ops) {
  const r = results.perCallNs[o];
  log(`${o.padEnd(20)} ${String(r.raw.median).padStart(9)} ${String(r.package.median).padStart(10)}   ${r.ratio.toFixed(2).padStart(11)}   (${r.ratioOfMeans.toFixed(2)})`);
}
log(`to a COM thread and back with no COM call: ${(roundTripNs / 1000).toFixed(1)} us`);
log(`\nthroughput: raw sequential ${results.throughput.rawSequentialPerSec}/s; package with 8 in flight ${results.throughput.inFlight8PerSec}/s (x${results.throughput.ratio8}), 64 in flight ${results.throughput.inFlight64PerSec}/s (x${results.throughput.ratio64}); raw C++ from 4 threads ${results.throughput.raw4ThreadsPerSec}/s`);
log(`1 ms timer lateness p99: idle ${idle.p99.toFixed(2)} ms, with 1,000 calls in flight ${busy.p99.toFixed(2)} ms (max ${busy.max.toFixed(2)} ms); event-loop delay p99 ${busy.loopDelayP99.toFixed(2)} ms`);
log(`COM-pool hops: ${results.hops.perWatchTick} per watch tick (${reads} reads; goal 1), ${results.hops.callbackToTransferredListener} between JobTransferred and the 'transferred' listener (goal 0)`);
log(`callback -> listener: median ${results.callbackToListenerMs.median} ms, p99 ${results.callbackToListenerMs.p99} ms over ${delays.length} events`);
log(`${CYCLES} create/cancel + ${CYCLES} getState: RSS ${results.memory.rssGrowthMB >= 0 ? '+' : ''}${results.memory.rssGrowthMB} MB, live COM objects ${before.liveComObjects} -> ${after.liveComObjects} (${atEnd} once all is closed), handles ${before.processHandles} -> ${after.processHandles}`);
log(`a process start of this Node: median ${results.processStartMs.median} ms (= ${Math.round((results.processStartMs.median * 1e6) / results.perCallNs.getState.package.median)} getState calls)`);
log(`\nwritten to ${resultsPath}`);
