// Imported first (node --import, set by child-coverage.ts) by every Node process that
// a measured test run starts. On Windows (and Windows Node under Wine) such a process
// uses the gcov-instrumented test addon (WINDOWS_BITS_TEST_ADDON, the product's
// exports plus test counters, built from the same sources) in place of build/Release,
// so the native code it runs is counted too. The packed copy the suite installs has a
// dist/ of its own and is left alone: it must prove the tarball loads unaided.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import process from 'node:process';
import { URL } from 'node:url';

const addon = process.env.WINDOWS_BITS_TEST_ADDON;
const entry = new URL('../../dist/binding.js', import.meta.url);
if (addon && process.platform === 'win32' && existsSync(entry)) {
  const { useBinding } = await import(entry.href);
  useBinding(createRequire(import.meta.url)(addon));
}
