// npm run prebuild: prebuildify's layout, built by cmake-js. prebuildify 6 writes
// prebuilds/win32-<arch>/windows-bits.node, which node-gyp-build loads. prebuildify
// only knows node-gyp (prebuild/prebuildify#49), but it lets PREBUILD_NODE_GYP
// name the builder: scripts/prebuild-shim.mjs stands in for node-gyp and runs
// cmake-js. Usage: node scripts/prebuild.mjs [--arch x64|arm64]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const archIndex = process.argv.indexOf('--arch');
const arch = archIndex > 0 ? process.argv[archIndex + 1] : 'x64';
const shim = path.join(root, 'scripts', 'prebuild-shim.mjs');
const prebuildify = path.join(path.dirname(require.resolve('prebuildify/package.json')), 'bin.js');
const r = spawnSync(process.execPath, [prebuildify, '--napi', '--platform', 'win32', '--arch', arch, '--strip=false'], {
  cwd: root,
  stdio: 'inherit',
  // prebuildify spawns the builder through a shell on Windows only; elsewhere the
  // shim runs by its shebang.
  env: { ...process.env, PREBUILD_NODE_GYP: process.platform === 'win32' ? `"${process.execPath}" "${shim}"` : shim },
});
process.exit(r.status ?? 1);
