// npm run bench: builds the raw C++ baseline with the project's toolchain, then
// runs bench/bench.mjs where BITS is (natively on Windows, under Wine elsewhere),
// after the host-Node benches of the upload server and the plain-HTTP fallback.
// Results go to bench/results/<date>-<platform>.json. Not part of npm test.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { ensureWine, root, runWindowsNode, stopWine, toWinePath } from '../scripts/wine.mjs';

// The raw C++ baseline is an addon of its own (CMake target raw_bench), built
// with the same toolchain as the package and loaded into the same process.
const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-native.mjs'), '--target', 'raw_bench'], { stdio: 'inherit' });
const rawBench = path.join(root, 'build', 'bench', 'raw_bench.node');
if (built.status !== 0 || !existsSync(rawBench)) {
  console.error('bench: could not build the C++ baseline (CMake target raw_bench)');
  process.exit(1);
}
if (!existsSync(path.join(root, 'dist', 'index.js'))) {
  console.error("bench: dist/ is missing: run 'npm run build'");
  process.exit(1);
}
// The upload server's bench: host Node on dist/, no BITS (bench/results/<date>-upload.json).
if (spawnSync(process.execPath, [path.join(root, 'bench', 'upload-bench.mjs')], { stdio: 'inherit' }).status !== 0) console.error('bench: the upload bench failed');
const date = new Date().toISOString().slice(0, 10);
// The upload server as a node:cluster fleet of 1 and 2 workers: host Node on dist/ (bench/results/<date>-fleet.json).
if (spawnSync(process.execPath, [path.join(root, 'bench', 'fleet-bench.mjs'), path.join(root, 'bench', 'results', `${date}-fleet.json`)], { stdio: 'inherit' }).status !== 0) console.error('bench: the fleet bench failed');
// The plain-HTTP fallback's bench: host Node on dist/, no BITS (bench/results/<date>-fallback.json).
const fallbackResults = path.join(root, 'bench', 'results', `${date}-fallback.json`);
if (spawnSync(process.execPath, [path.join(root, 'bench', 'fallback-bench.mjs'), fallbackResults], { stdio: 'inherit' }).status !== 0) console.error('bench: the fallback bench failed');
if (process.platform === 'win32') {
  const results = path.join(root, 'bench', 'results', `${date}-windows.json`);
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(root, 'bench', 'bench.mjs'), rawBench, results], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
ensureWine({ quiet: true });
stopWine();
const results = path.join(root, 'bench', 'results', `${date}-wine.json`);
const { code } = await runWindowsNode(['--expose-gc', toWinePath(path.join(root, 'bench', 'bench.mjs')), toWinePath(rawBench), toWinePath(results)]);
stopWine();
process.exit(code);
