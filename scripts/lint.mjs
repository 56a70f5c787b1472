// npm run lint: typescript-eslint on lib/ and test/, tsc --noEmit, and a
// clang-format check of native/ and bench/raw/.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
let failed = false;
const step = (what, cmd, args) => {
  console.log(`lint: ${what}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.error) console.error(`lint: ${cmd} did not run: ${r.error.message}`);
  if (r.status !== 0) failed = true;
};

step('tsc --noEmit', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
step('eslint lib test examples', bin('eslint'), ['lib', 'test', 'examples', 'vitest.config.ts']);
step('typedoc: every public symbol documented', bin('typedoc'), ['--emit', 'none']);
const cxx = (dir) =>
  readdirSync(path.join(root, dir), { recursive: true })
    .filter((f) => /\.(cc|h)$/.test(f))
    .map((f) => path.join(dir, f))
    .sort();
const sources = [...cxx('native'), ...cxx(path.join('bench', 'raw'))];
step('clang-format --dry-run --Werror native/ bench/raw/', process.env.CLANG_FORMAT ?? 'clang-format', ['--dry-run', '--Werror', ...sources]);
process.exit(failed ? 1 : 0);
