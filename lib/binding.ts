// Loads the addon through node-gyp-build (a local build first, else the shipped
// prebuild) and hands it the error classes it builds its failures with. Off
// Windows nothing is loaded: importing the package works, and the first call into
// BITS throws UnsupportedPlatformError.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { NativeBinding } from '../binding.js';
import { BitsError, DISCONNECTION_HRESULTS, ObjectClosedError, UnsupportedPlatformError } from './errors.js';

let loaded: NativeBinding | undefined;

function prepare(b: NativeBinding): NativeBinding {
  // better-sqlite3's way: one place builds the package's errors, where a call settles.
  b.setErrorClasses(BitsError, ObjectClosedError, DISCONNECTION_HRESULTS);
  return b;
}

/**
 * The package's root, where node-gyp-build looks (build/, then prebuilds/) and
 * package.json is. The code runs from lib/ in the tests and from a bundle in dist/
 * or one of its chunk folders once shipped, so it is the nearest folder up with a
 * package.json.
 * @internal
 */
export function packageRoot(): string {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The addon, loaded on first use. @internal */
export function binding(): NativeBinding {
  if (loaded) return loaded;
  if (process.platform !== 'win32') throw new UnsupportedPlatformError(process.platform);
  const require = createRequire(import.meta.url);
  const load = require('node-gyp-build') as (dir: string) => NativeBinding;
  let b: NativeBinding;
  try {
    b = load(packageRoot());
  } catch (e) {
    throw new Error(
      `windows-bits: the native addon did not load for ${process.platform}-${process.arch} (Node ${process.version}). ` +
        'Prebuilds ship for win32-x64; elsewhere run `npm run build` with a compiler.',
      { cause: e },
    );
  }
  loaded = prepare(b);
  return loaded;
}

/**
 * Uses `b` instead of loading the addon: the integration suite's test build (the
 * product plus its test-only exports), or a scripted binding in unit tests.
 * @internal
 */
export function useBinding(b: NativeBinding): void {
  loaded = prepare(b);
}
