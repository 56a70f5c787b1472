// npm run lint: typescript-eslint on lib/ and test/, tsc --noEmit, typedoc, the
// structure check (scripts/check-structure.mjs: no import cycle; arrows one way,
// native/runtime/ never including native/bits/, lib/job/ and what it stands on
// never importing lib/cli/ or lib/upload-server/; no file over 400 lines), the
// citation check (scripts/check-citations.mjs), a clang-format check of native/ and bench/raw/ with the pinned clang-format
// (@wasm-fmt/clang-format: one WASM build, the same on every machine), and a
// compile of test/native/signatures_check.cc that proves bits_extra.h's
// stand-ins and our overrides have the Windows SDK's signatures.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
let failed = false;
const step = (what, cmd, args, options = {}) => {
  console.log(`lint: ${what}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32', ...options });
  if (r.error) console.error(`lint: ${cmd} did not run: ${r.error.message}`);
  if (r.status !== 0) failed = true;
};

step('tsc --noEmit', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
step('eslint lib test examples', bin('eslint'), ['lib', 'test', 'examples', 'vitest.config.ts']);
step('typedoc: every public symbol documented', bin('typedoc'), ['--emit', 'none']);
step('structure: no import cycle, arrows one way, no file over 400 lines', process.execPath, [path.join('scripts', 'check-structure.mjs')]);
step('citations: every Windows expectation in test/integration names its page', process.execPath, [path.join('scripts', 'check-citations.mjs')]);

const cxx = (dir) =>
  readdirSync(path.join(root, dir), { recursive: true })
    .filter((f) => /\.(cc|h)$/.test(f))
    .map((f) => path.join(dir, f))
    .sort();
const sources = [...cxx('native'), ...cxx(path.join('bench', 'raw')), ...cxx(path.join('test', 'native'))];
// Run by this Node, not through a shell: the same WASM build on Linux and Windows.
const clangFormat = path.join(path.dirname(require.resolve('@wasm-fmt/clang-format/package.json')), 'clang-format-cli.cjs');
step('clang-format (pinned @wasm-fmt/clang-format) --dry-run --Werror native/ bench/raw/ test/native/', process.execPath, [clangFormat, '--dry-run', '--Werror', ...sources], { shell: false });

// MSVC compiles against the SDK's own headers on Windows; here the cross compiler
// checks the same signatures against test/native/sdk_signatures.h.
if (process.platform !== 'win32') {
  const cxxCompiler = 'x86_64-w64-mingw32-g++-posix';
  const include = (m) => require(m).include_dir;
  step('SDK signatures (test/native/signatures_check.cc, -fsyntax-only)', cxxCompiler, [
    '-std=c++17', '-fsyntax-only', '-Wall', '-Wextra', '-Wno-unused-parameter',
    '-Inative', `-I${path.resolve(root, include('node-addon-api'))}`, `-I${include('node-api-headers')}`,
    '-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS', '-DUNICODE', '-D_UNICODE', '-DWIN32_LEAN_AND_MEAN', '-DNOMINMAX', '-D_WIN32_WINNT=0x0A00',
    path.join('test', 'native', 'signatures_check.cc'),
  ]);
}
process.exit(failed ? 1 : 0);
