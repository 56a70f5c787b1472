// Imported first (node --import, set by child-coverage.ts) by every Node process that
// a measured test run starts. On Windows (and Windows Node under Wine) such a process
// uses the gcov-instrumented test addon (WINDOWS_BITS_TEST_ADDON, the product's
// exports plus test counters, built from the same sources) in place of build/Release,
// so the native code it runs is counted too. The package loads its addon with
// require('node-gyp-build')(root) from wherever its bundle sits; this checkout's
// node-gyp-build, cached here first, answers with the test addon. The packed copy
// the suite installs has a node-gyp-build of its own and is left alone: it must
// prove the tarball loads unaided.
import { createRequire } from 'node:module';
import process from 'node:process';

const addon = process.env.WINDOWS_BITS_TEST_ADDON;
if (addon && process.platform === 'win32') {
  const require = createRequire(import.meta.url);
  const load = require('node-gyp-build');
  const testAddon = require(addon);
  const cached = require.cache[require.resolve('node-gyp-build')];
  if (cached) cached.exports = Object.assign(() => testAddon, load);
}
