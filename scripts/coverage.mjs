// npm run coverage: the whole test suite once (scripts/test.mjs with COVERAGE=1),
// measuring both halves of the package:
// - native/: the test addon built with gcc --coverage into build-coverage/ (never
//   build/Release, never prebuilds/), loaded by the integration suite under Wine
//   through WINDOWS_BITS_TEST_ADDON; libgcov writes the .gcda files when each
//   Windows Node process exits (the objects' Linux paths reach Linux through
//   Wine's Z: drive), and x86_64-w64-mingw32-gcov reads them;
// - lib/: V8's coverage (@vitest/coverage-v8) of the unit run on the host and of
//   the integration run under Windows Node, merged with the raw V8 coverage
//   (NODE_V8_COVERAGE) of every Node process the tests started, which vitest does
//   not follow.
// Prints per-file tables, totals and each native function that never ran with
// the reason it cannot run here (scripts/coverage-reasons.json), and writes
// coverage/summary.json. The test-only code (native/test/, test/) is not counted.
// Usage: node scripts/coverage.mjs [unit|integration]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
export const coverageDir = path.join(root, 'coverage');
export const buildDir = path.join(root, 'build-coverage');
/** The instrumented test addon. */
export const coverageAddon = path.join(buildDir, 'test', 'windows_bits_test.node');
const GOAL = { native: 90, lib: 95 };

/** Builds the instrumented test addon; false when the build failed. */
export function buildCoverageAddon() {
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  const args = [cmakeJs, 'build', '--config', 'Release', '--out', buildDir, '--target', 'windows_bits_test', '--CDWINDOWS_BITS_COVERAGE=ON'];
  if (process.platform !== 'win32') args.push('--CDCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake');
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  // Counts from an earlier run must not add to this one's.
  for (const f of walk(buildDir)) if (f.endsWith('.gcda')) rmSync(f);
  return r.status === 0 && existsSync(coverageAddon);
}

/** Vitest's options for V8 coverage of lib/ into coverage/<project>/ (dir as the running Node names it). */
export function vitestCoverageArgs(dir) {
  return [
    '--coverage.enabled=true',
    '--coverage.provider=v8',
    '--coverage.include=lib/**/*.ts',
    '--coverage.reporter=json',
    '--coverage.reportOnFailure=true',
    `--coverage.reportsDirectory=${dir}`,
  ];
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const rel = (file) => path.relative(root, file).split(path.sep).join('/');
const pct = (covered, total) => (total === 0 ? 100 : (100 * covered) / total);

// ---- native/: gcov -------------------------------------------------------

function nativeCoverage() {
  const notes = walk(path.join(buildDir, 'CMakeFiles')).filter((f) => f.endsWith('.gcno'));
  const gcdaCount = notes.filter((f) => existsSync(f.replace(/\.gcno$/, '.gcda'))).length;
  const work = path.join(coverageDir, 'gcov');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const gcov = process.platform === 'win32' ? 'gcov' : 'x86_64-w64-mingw32-gcov';
  const r = spawnSync(gcov, ['--json-format', '--demangled-names', ...notes], { cwd: work, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${gcov} failed: ${r.stderr}`);
  const lines = new Map(); // file -> Map(line -> count)
  const functions = new Map(); // "file:name" -> { file, name, line, count }
  for (const f of readdirSync(work).filter((n) => n.endsWith('.gcov.json.gz'))) {
    const doc = JSON.parse(gunzipSync(readFileSync(path.join(work, f))).toString('utf8'));
    for (const file of doc.files) {
      const abs = path.resolve(doc.current_working_directory ?? root, file.file);
      const name = rel(abs);
      // Product code only: native/, not the test addon's own exports.
      if (!name.startsWith('native/') || name.startsWith('native/test/')) continue;
      const byLine = lines.get(name) ?? new Map();
      lines.set(name, byLine);
      for (const l of file.lines) byLine.set(l.line_number, (byLine.get(l.line_number) ?? 0) + l.count);
      for (const fn of file.functions) {
        const key = `${name}:${fn.demangled_name}`;
        const prev = functions.get(key) ?? { file: name, name: fn.demangled_name, line: fn.start_line, count: 0 };
        prev.count += fn.execution_count;
        functions.set(key, prev);
      }
    }
  }
  const files = [...lines].map(([file, byLine]) => {
    const total = byLine.size;
    const covered = [...byLine.values()].filter((c) => c > 0).length;
    return { file, covered, total, percent: pct(covered, total) };
  });
  files.sort((a, b) => a.file.localeCompare(b.file));
  const covered = files.reduce((s, f) => s + f.covered, 0);
  const total = files.reduce((s, f) => s + f.total, 0);
  const reasons = JSON.parse(readFileSync(path.join(root, 'scripts', 'coverage-reasons.json'), 'utf8'));
  const uncovered = [...functions.values()]
    .filter((f) => f.count === 0)
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
    .map((f) => ({ ...f, reason: reasonFor(reasons, f.name) }));
  return { objects: notes.length, objectsRun: gcdaCount, files, covered, total, percent: pct(covered, total), uncovered };
}

// scripts/coverage-reasons.json: [{ match, reason }], the first whose match is part
// of the function's demangled name (an interface, a method) gives the reason.
// A function without one is a gap that a test here could close.
function reasonFor(reasons, name) {
  return reasons.find((r) => name.includes(r.match))?.reason ?? null;
}

// ---- lib/: V8 coverage through istanbul ---------------------------------

/** Where every Node process the tests start writes V8's raw coverage (NODE_V8_COVERAGE, test/support/child-coverage.ts). */
export const childrenDir = path.join(coverageDir, 'children');

/** A file on this host from a V8 script URL: file:///Z:/work/... (Windows Node under Wine) or file:///work/... */
function hostPath(url) {
  if (!url.startsWith('file:///')) return null;
  const p = decodeURIComponent(url.slice('file://'.length));
  return path.resolve(process.platform === 'win32' ? p.slice(1) : p.replace(/^\/[A-Za-z]:/, ''));
}

// The children's raw counts, as vitest's V8 provider converts its own workers':
// ast-v8-to-istanbul through each script's source map (dist/'s bundle, or the unit
// run's tsc copy) back to lib/*.ts. Scripts outside this checkout, in node_modules
// (so also the packed copy the suite installs) or without a map are not counted.
async function childCoverage() {
  const { parse } = await import('acorn');
  const { convert } = await import('ast-v8-to-istanbul');
  const sources = new Map(); // compiled file -> { code, ast, sourceMap } | null
  const load = (file) => {
    if (!existsSync(`${file}.map`)) return null;
    const code = readFileSync(file, 'utf8');
    return { code, ast: parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true }), sourceMap: JSON.parse(readFileSync(`${file}.map`, 'utf8')) };
  };
  const out = [];
  const dumps = existsSync(childrenDir) ? readdirSync(childrenDir).filter((n) => n.endsWith('.json')) : [];
  for (const name of dumps) {
    let doc;
    try {
      doc = JSON.parse(readFileSync(path.join(childrenDir, name), 'utf8'));
    } catch {
      continue; // a process killed while writing: its counts are lost, not wrong
    }
    for (const script of doc.result ?? []) {
      const file = hostPath(script.url);
      if (!file?.startsWith(path.join(root, path.sep)) || file.includes(`${path.sep}node_modules${path.sep}`) || !file.endsWith('.js')) continue;
      if (!sources.has(file)) sources.set(file, load(file));
      const src = sources.get(file);
      if (src) out.push(await convert({ ...src, wrapperLength: 0, coverage: { url: pathToFileURL(file).href, functions: script.functions } }));
    }
  }
  return { processes: dumps.length, data: out };
}

async function libCoverage(projects) {
  const { createCoverageMap } = require('istanbul-lib-coverage');
  const map = createCoverageMap({});
  const runs = [];
  // The processes the tests started, which vitest does not follow.
  const children = await childCoverage();
  for (const data of children.data) map.merge(data);
  if (children.processes > 0) runs.push(`${children.processes} child processes`);
  for (const project of projects) {
    const file = path.join(coverageDir, project, 'coverage-final.json');
    if (!existsSync(file)) continue;
    runs.push(project);
    const data = JSON.parse(readFileSync(file, 'utf8'));
    for (const fc of Object.values(data)) {
      // Windows Node under Wine names the files Z:\work\...; the host /work/...
      const unix = fc.path.replace(/^[A-Za-z]:/, '').replace(/\\/g, '/');
      map.merge({ [unix]: { ...fc, path: unix } });
    }
  }
  // Only lib/: a child's source maps also name files vitest was not asked about.
  const libDir = path.join(root, 'lib') + path.sep;
  const files = map.files().filter((f) => f.startsWith(libDir)).map((f) => {
    const s = map.fileCoverageFor(f).toSummary().lines;
    return { file: rel(f), covered: s.covered, total: s.total, percent: pct(s.covered, s.total) };
  });
  files.sort((a, b) => a.file.localeCompare(b.file));
  const covered = files.reduce((s, f) => s + f.covered, 0);
  const total = files.reduce((s, f) => s + f.total, 0);
  return { runs, files, covered, total, percent: pct(covered, total) };
}

function table(title, files) {
  const width = Math.max(...files.map((f) => f.file.length), 10);
  console.log(`\n${title}`);
  for (const f of files) console.log(`  ${f.file.padEnd(width)}  ${f.percent.toFixed(1).padStart(5)}%  ${String(f.covered).padStart(5)}/${f.total}`);
}

/** Prints both figures and writes coverage/summary.json; `projects` are the vitest runs made. */
export async function report(projects) {
  const native = existsSync(buildDir) ? nativeCoverage() : null;
  const lib = await libCoverage(projects);
  if (native) {
    table('native/ line coverage (gcov, test addon under Wine; native/test/ not counted)', native.files);
    console.log(`\nnative/ uncovered functions (${native.uncovered.length}):`);
    // One line per function; template instances of one method share it.
    const shown = new Map();
    for (const f of native.uncovered) {
      const key = `${f.file}:${f.line} ${f.name.length > 150 ? `${f.name.slice(0, 147)}...` : f.name}`;
      shown.set(key, f.reason ?? 'no reason: not run by any test here, a gap to close');
    }
    for (const [key, reason] of shown) console.log(`  ${key}\n      ${reason}`);
  }
  table(`lib/ line coverage (V8: ${lib.runs.join(' + ')})`, lib.files);
  const line = (name, c, goal) => `${name}: ${c.percent.toFixed(1)}% of lines (${c.covered}/${c.total}), goal ${goal}%${c.percent >= goal ? '' : `, ${(goal - c.percent).toFixed(1)} points short`}`;
  console.log('');
  if (native) console.log(`coverage ${line('native/', native, GOAL.native)}`);
  else console.log('coverage native/: not measured (no build-coverage/)');
  console.log(`coverage ${line('lib/', lib, GOAL.lib)}`);
  mkdirSync(coverageDir, { recursive: true });
  writeFileSync(path.join(coverageDir, 'summary.json'), `${JSON.stringify({ date: new Date().toISOString(), goal: GOAL, native, lib }, null, 2)}\n`);
  console.log(`coverage: details in ${rel(path.join(coverageDir, 'summary.json'))}`);
}

// npm run coverage: the suite once, through scripts/test.mjs, with COVERAGE=1.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'test.mjs'), ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, COVERAGE: '1' },
  });
  process.exit(r.status ?? 1);
}
