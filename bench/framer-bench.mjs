// CPU cost of the BITS_POST front's request framer on request heads dribbled a
// byte at a time (host Node, any OS; needs git and the dev dependencies):
//
//   node bench/framer-bench.mjs [--baseline <git revision>]
//
// Inputs: (a) 64 Ki one-byte chunks of a head that never ends, as a slow-loris
// client sends them; (b) a whole 15 KiB head (under Node's 16 KiB maxHeaderSize)
// in one-byte chunks. CPU time is process.cpuUsage (user + system) around each
// run, the median of 7. With --baseline, lib/upload-server/framing.ts as it was at
// that revision runs in the same process, rounds alternating, and the ratios are
// printed. Both framers are compiled from source with TypeScript's transpileModule.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = 'lib/upload-server/framing.ts';
const ROUNDS = 7;

async function load(source, dir, name) {
  const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  const file = path.join(dir, `${name}.mjs`);
  writeFileSync(file, js);
  return (await import(pathToFileURL(file).href)).BitsRequestFramer;
}

function cpuMs(run) {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const endless = () => {
  const bytes = Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(64 * 1024)}`, 'latin1').subarray(0, 64 * 1024);
  return (Framer) => {
    const f = new Framer();
    for (let i = 0; i < bytes.length; i++) f.push(bytes.subarray(i, i + 1));
  };
};
const whole = () => {
  const bytes = Buffer.from(`BITS_POST /d HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(15 * 1024)}\r\nContent-Length: 0\r\n\r\n`, 'latin1');
  return (Framer) => {
    const f = new Framer();
    let out = 0;
    for (let i = 0; i < bytes.length; i++) out += f.push(bytes.subarray(i, i + 1)).length;
    if (out !== 1) throw new Error(`the framer gave ${out} buffers for one head`);
  };
};

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const at = process.argv.indexOf('--baseline');
const baselineRev = at > 0 ? process.argv[at + 1] : undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'framer-bench-'));
try {
  const contenders = { current: await load(readFileSync(path.join(root, SOURCE), 'utf8'), dir, 'current') };
  if (baselineRev) contenders.baseline = await load(execFileSync('git', ['show', `${baselineRev}:${SOURCE}`], { cwd: root, encoding: 'utf8' }), dir, 'baseline');
  const inputs = { '64 Ki one-byte chunks, head never ends': endless(), '15 KiB head in one-byte chunks': whole() };
  const results = {};
  for (const [input, make] of Object.entries(inputs)) {
    const times = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
    for (let r = 0; r < ROUNDS; r++) for (const [name, Framer] of Object.entries(contenders)) times[name].push(cpuMs(() => make(Framer)));
    results[input] = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  }
  console.log(`framer CPU per input, median of ${ROUNDS} (ms)${baselineRev ? `; baseline = ${baselineRev}` : ''}`);
  for (const [input, r] of Object.entries(results)) {
    const ratio = r.baseline !== undefined ? `  baseline/current = ${(r.baseline / r.current).toFixed(1)}x` : '';
    console.log(`  ${input}: current ${r.current.toFixed(1)}${r.baseline !== undefined ? `, baseline ${r.baseline.toFixed(1)}` : ''}${ratio}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
