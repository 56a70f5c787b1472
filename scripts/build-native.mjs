// Builds build/Release/windows_bits.node: cmake-js with MSVC on Windows, with the
// MinGW-w64 cross toolchain elsewhere.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const args = [cmakeJs, 'compile', '--config', 'Release', ...process.argv.slice(2)];
if (process.platform !== 'win32') {
  for (const tool of ['cmake', 'x86_64-w64-mingw32-g++-posix', 'x86_64-w64-mingw32-dlltool']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      console.error(`build-native: ${tool} is missing. Run 'bash scripts/setup.sh' (installs cmake and Debian's g++-mingw-w64-x86-64-posix).`);
      process.exit(1);
    }
  }
  args.push('--CDCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake');
}
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
