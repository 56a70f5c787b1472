// npm run build:native. Builds the product once, build/Release/windows_bits.node,
// and lays a copy where an installed package loads it from,
// prebuilds/win32-<arch>/windows-bits.node (node-gyp-build's layout, the one
// prebuildify writes); then build/test/windows_bits_test.node (the test addon: the
// same sources plus native/test/, never in build/Release nor prebuilds/).
// cmake-js with MSVC on Windows, with the MinGW-w64 cross toolchain elsewhere.
// Usage: node scripts/build-native.mjs [--product-only] [--arch x64|arm64] [cmake-js options, e.g. --target raw_bench]
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { prebuildFile } from './release-check.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const productOnly = process.argv.includes('--product-only'); // the release's prebuild jobs want the product alone
const options = process.argv.slice(2).filter((a) => a !== '--product-only');
const archAt = options.indexOf('--arch');
const arch = archAt >= 0 ? options[archAt + 1] : 'x64';
if (process.platform !== 'win32' && arch !== 'x64') {
  console.error(`build-native: the MinGW cross build makes win32-x64 only, not ${arch}`);
  process.exit(1);
}
const common = ['--config', 'Release', ...options];
if (process.platform !== 'win32') {
  for (const tool of ['cmake', 'x86_64-w64-mingw32-g++-posix', 'x86_64-w64-mingw32-dlltool']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      console.error(`build-native: ${tool} is missing. Run 'bash scripts/setup.sh' (installs cmake and Debian's g++-mingw-w64-x86-64-posix).`);
      process.exit(1);
    }
  }
  common.push('--CDCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake');
}
const run = (command, extra = []) => spawnSync(process.execPath, [cmakeJs, command, ...common, ...extra], { cwd: root, stdio: 'inherit' }).status ?? 1;

const ownTarget = options.some((a) => a === '--target' || a === '-T'); // raw_bench: all the caller asked for
let status = run('compile');
if (status === 0 && !ownTarget) {
  const prebuild = path.join(root, prebuildFile(arch));
  mkdirSync(path.dirname(prebuild), { recursive: true });
  copyFileSync(path.join(root, 'build', 'Release', 'windows_bits.node'), prebuild);
  if (!productOnly) status = run('build', ['--target', 'windows_bits_test']);
}
process.exit(status);
