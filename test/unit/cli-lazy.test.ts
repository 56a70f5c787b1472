// `bits list` reads from disk only what listing needs: each command's code is a
// chunk of the CLI's bundle, loaded when that command runs (lib/cli/main.ts,
// scripts/bundle.mjs). Every file costs start-up time, under Wine and under a
// Windows virus scanner alike. Run with the host's Node on a fresh bundle, with a
// module hook that names each file read; each file's source map says which lib/
// sources it holds.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { afterAll, beforeAll, expect, test } from 'vitest';

// Each test starts Node once or twice; on a loaded machine one start takes seconds.
const slow = { timeout: 30_000 };

const root = fileURLToPath(new URL('../..', import.meta.url));
// The hook runs on Node's hooks thread, whose process.stderr reaches the main
// thread by message: an exit can drop the last lines (one CI run lost the chunk
// loaded last). So it appends to a file, synchronously.
const hooks = `data:text/javascript,${encodeURIComponent(
  "import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { if (url.startsWith('file:')) appendFileSync(process.env.LOADED_LOG, url + '\\n'); return next(url, context); }",
)}`;
const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hooks)});`)}`;

let dist = '';
let runs = 0;
beforeAll(() => {
  dist = mkdtempSync(path.join(root, '.test-results', 'bundle-'));
  execFileSync(process.execPath, [path.join(root, 'scripts', 'bundle.mjs'), dist], { cwd: root, stdio: 'pipe' });
}, 60_000);
afterAll(() => rmSync(dist, { recursive: true, force: true }));

/** The bundle's files that `bits <args>` loads (relative to the bundle), the lib/ sources they hold, and the packages it loads from node_modules. */
function loadedBy(args: string[]): { files: string[]; sources: string[]; packages: string[] } {
  const log = path.join(dist, `loaded-${runs++}.log`);
  // Off Windows the command itself fails (exit 3, not supported): what it loaded still counts.
  spawnSync(process.execPath, ['--import', register, path.join(dist, 'cli', 'main.js'), ...args], { stdio: 'ignore', env: { ...process.env, LOADED_LOG: log } });
  const loaded = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => fileURLToPath(l));
  const files = loaded.filter((f) => f.startsWith(dist + path.sep));
  const packages = [...new Set(loaded.flatMap((f) => /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(f)?.[1] ?? []))];
  const sources = files.flatMap((f) =>
    (JSON.parse(readFileSync(`${f}.map`, 'utf8')) as { sources: string[] }).sources.map((s) => path.relative(root, path.resolve(path.dirname(f), s)).split(path.sep).join('/')),
  );
  return { files: files.map((f) => path.relative(dist, f).split(path.sep).join('/')), sources, packages };
}

test('bits list loads no upload server, monitor, progress bar or transfer code', slow, () => {
  const { files, sources } = loadedBy(['list', '--json']);
  // The hook sees the files and the maps name the sources (so an empty list means nothing).
  expect(files).toContain('cli/main.js');
  expect(sources).toContain('lib/cli/job-commands.ts');
  expect(sources).toContain('lib/manager.ts');
  expect(sources.filter((f) => f.startsWith('lib/upload-server/'))).toEqual([]);
  expect(sources).not.toContain('lib/cli/monitor.ts');
  expect(sources).not.toContain('lib/cli/progress-bar.ts');
  expect(sources).not.toContain('lib/cli/serve-uploads.ts');
  expect(sources).not.toContain('lib/transfer.ts');
  // A handful of files, not one per source: the point of the bundle.
  expect(files.length).toBeLessThanOrEqual(5);
});

test("bits list reads commander from the CLI's bundle, not from node_modules", slow, () => {
  // Off Windows the addon (and node-gyp-build with it) is never loaded, so here
  // nothing at all comes from node_modules; on Windows node-gyp-build would.
  const { files, sources, packages } = loadedBy(['list', '--json']);
  expect(files).toContain('cli/main.js');
  expect(sources).toContain('node_modules/commander/lib/command.js');
  expect(packages).toEqual([]);
});

test('bits serve-uploads --help loads nothing of the commands; bits serve-uploads loads the upload server', slow, () => {
  const help = loadedBy(['serve-uploads', '--help']);
  expect(help.sources).not.toContain('lib/cli/job-commands.ts');
  expect(help.sources.filter((f) => f.startsWith('lib/upload-server/'))).toEqual([]);
  const serve = loadedBy(['serve-uploads', '--hash-password', 'x']);
  expect(serve.sources).toContain('lib/upload-server/handler.ts');
});

test("import('windows-bits') loads no plain-HTTP fallback, nor the built-ins only it needs", slow, () => {
  // process.moduleLoadList names each of Node's own modules as it loads (Node's
  // internals; stable enough for a test that runs on the host's Node only). No
  // hook here, so the ES module loader's own modules load during the import too.
  // stderr is a pipe, whose stream loads net: it is opened before counting.
  const script = `const err = process.stderr;
const before = new Set(process.moduleLoadList);
await import(${JSON.stringify(pathToFileURL(path.join(dist, 'index.js')).href)});
err.write(process.moduleLoadList.filter((m) => !before.has(m)).map((m) => 'BUILTIN ' + m + '\\n').join(''));`;
  // Without NODE_OPTIONS: the coverage run's preload (test/support/child-coverage.ts)
  // would load the ES module loader, and more, before the count starts.
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const plain = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
  expect(plain.status).toBe(0);
  const builtins = plain.stderr
    .split('\n')
    .filter((l) => l.startsWith('BUILTIN NativeModule '))
    .map((l) => l.slice('BUILTIN NativeModule '.length));
  expect(builtins).toContain('internal/modules/esm/load');
  for (const m of ['http', 'crypto', 'net', 'stream', 'fs/promises', 'internal/fs/streams']) expect(builtins).not.toContain(m);

  const log = path.join(dist, 'loaded-import.log');
  const hooked = spawnSync(process.execPath, ['--import', register, '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...env, LOADED_LOG: log } });
  expect(hooked.status).toBe(0);
  const files = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => fileURLToPath(l));
  const sources = files.flatMap((f) =>
    (JSON.parse(readFileSync(`${f}.map`, 'utf8')) as { sources: string[] }).sources.map((s) => path.relative(root, path.resolve(path.dirname(f), s)).split(path.sep).join('/')),
  );
  expect(sources).toContain('lib/manager.ts');
  expect(sources.filter((f) => f.startsWith('lib/fallback/'))).toEqual([]);
  expect(files.length).toBeLessThanOrEqual(2);
});
