// npm run bench: builds the raw C++ baseline with the project's toolchain, then
// runs bench/bench.mjs where BITS is (natively on Windows, under Wine elsewhere).
// Results go to bench/results/<date>-<platform>.json. Not part of npm test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

import { ensureWine, root, runWindowsNode, stopWine, toWinePath } from './wine.mjs';

const out = path.join(root, 'bench', 'tmp');
mkdirSync(out, { recursive: true });
const exe = path.join(out, 'raw_bench.exe');
const source = path.join(root, 'bench', 'raw', 'raw_bench.cc');
const compiler = process.platform === 'win32' ? 'g++' : 'x86_64-w64-mingw32-g++-posix';
const built = spawnSync(compiler, ['-O2', '-static', '-municode', '-o', exe, source, '-lole32', '-luuid'], { stdio: 'inherit' });
if (built.status !== 0 || !existsSync(exe)) {
  console.error(`bench: could not build the C++ baseline with ${compiler} (MinGW-w64 is needed; on Windows put its g++ on PATH)`);
  process.exit(1);
}
if (!existsSync(path.join(root, 'dist', 'index.js'))) {
  console.error("bench: dist/ is missing: run 'npm run build'");
  process.exit(1);
}
const date = new Date().toISOString().slice(0, 10);
if (process.platform === 'win32') {
  const results = path.join(root, 'bench', 'results', `${date}-windows.json`);
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(root, 'bench', 'bench.mjs'), exe, results], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
ensureWine({ quiet: true });
stopWine();
const results = path.join(root, 'bench', 'results', `${date}-wine.json`);
const { code } = await runWindowsNode(['--expose-gc', toWinePath(path.join(root, 'bench', 'bench.mjs')), toWinePath(exe), toWinePath(results)]);
stopWine();
process.exit(code);
