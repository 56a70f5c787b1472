#!/usr/bin/env node
// Stands in for node-gyp when prebuildify calls it (`rebuild --target=... --arch=...
// --release`) and builds with cmake-js instead; see scripts/prebuild.mjs.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const arch = process.argv.find((a) => a.startsWith('--arch='))?.slice('--arch='.length) ?? 'x64';
if (process.platform !== 'win32' && arch !== 'x64') {
  console.error(`prebuild-shim: the MinGW cross build makes win32-x64 only, not ${arch}`);
  process.exit(1);
}
// "rebuild": start from a clean build folder, as node-gyp would.
rmSync(path.join(root, 'build'), { recursive: true, force: true });
const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-native.mjs'), '--product-only', '--arch', arch], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
