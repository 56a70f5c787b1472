// Loads the addon through node-gyp-build (a local build first, else the shipped
// prebuild). Off Windows nothing is loaded: importing the package works, and the
// first call into BITS throws UnsupportedPlatformError.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import type { NativeBinding } from '../binding.js';
import { BitsError, ObjectClosedError, UnsupportedPlatformError } from './errors.js';

let loaded: NativeBinding | undefined;

/** The addon, loaded on first use. */
export function binding(): NativeBinding {
  if (loaded) return loaded;
  if (process.platform !== 'win32') throw new UnsupportedPlatformError(process.platform);
  const require = createRequire(import.meta.url);
  const load = require('node-gyp-build') as (dir: string) => NativeBinding;
  const root = fileURLToPath(new URL('..', import.meta.url));
  let b: NativeBinding;
  try {
    b = load(root);
  } catch (e) {
    throw new Error(
      `windows-bits: the native addon did not load for ${process.platform}-${process.arch} (Node ${process.version}). ` +
        'Prebuilds ship for win32-x64; elsewhere run `npm run build` with a compiler.',
      { cause: e },
    );
  }
  useBinding(b);
  return b;
}

/**
 * Internal, not exported from the package: makes `b` the addon every later call
 * uses. The integration tests hand over the test addon (build/test/) with it,
 * before any other call, so that one copy of the addon runs.
 */
export function useBinding(b: NativeBinding): void {
  b.setErrorClasses(BitsError, ObjectClosedError);
  loaded = b;
}
