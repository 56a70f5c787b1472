// Builds build/Release/windows_bits.node (the product) and then
// build/test/windows_bits_test.node (the test addon: the same sources plus
// native/test/, never in build/Release nor prebuilds/): cmake-js with MSVC on
// Windows, with the MinGW-w64 cross toolchain elsewhere.
// Usage: node scripts/build-native.mjs [--product-only] [cmake-js options, e.g. --target raw_bench]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const productOnly = process.argv.includes('--product-only'); // prebuild-shim.mjs: prebuildify wants the product alone
const options = process.argv.slice(2).filter((a) => a !== '--product-only');
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

let status = run('compile');
// A --target of the caller's (raw_bench) is all it asked for.
if (status === 0 && !productOnly && !options.some((a) => a === '--target' || a === '-T')) {
  status = run('build', ['--target', 'windows_bits_test']);
}
process.exit(status);
