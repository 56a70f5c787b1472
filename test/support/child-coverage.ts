// Setup file of both vitest projects. In a measured run (COVERAGE=1, scripts/coverage.mjs)
// scripts/test.mjs names a folder in WINDOWS_BITS_CHILD_COVERAGE; from here on every
// Node process a test starts (the `bits` CLI, the fixtures, the upload server's crash
// child) writes V8's coverage there when it exits (NODE_V8_COVERAGE), and imports
// coverage-preload.mjs first, which gives it the gcov-instrumented test addon. So the
// code those processes run counts for lib/ and native/ as if the test had run it.
// The vitest worker itself is measured by vitest; NODE_V8_COVERAGE is read at start-up,
// so setting it here reaches only the children.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = process.env.WINDOWS_BITS_CHILD_COVERAGE;
if (dir && process.env.NODE_V8_COVERAGE !== dir) {
  const preload = pathToFileURL(path.join(fileURLToPath(new URL('.', import.meta.url)), 'coverage-preload.mjs')).href;
  process.env.NODE_V8_COVERAGE = dir;
  process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--import=${preload}`].filter(Boolean).join(' ');
}
