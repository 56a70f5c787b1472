// npm test: the unit suite with the host's Node, then the integration suite
// against a real BITS service: natively on Windows, under Wine elsewhere. Ends
// with one line, "N passed, N failed", summing both.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { makeTestCertificates } from './test-certs.mjs';
import { closingLines, countFile } from './test-summary.mjs';
import { buildCoverageAddon, childrenDir, coverageAddon, coverageDir, report, vitestCoverageArgs } from './coverage.mjs';
import { ensureWine, root, runWindowsNode, stopWine, toWinePath } from './wine.mjs';

const results = path.join(root, '.test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const only = process.argv.slice(2); // e.g. `npm test -- integration`
const want = (project) => only.length === 0 || only.includes(project);
// COVERAGE=1 (npm run coverage, .ci/run): the same runs, measured (scripts/coverage.mjs).
const coverage = process.env.COVERAGE === '1';

function vitestArgs(project, outFile, coverageOut) {
  return [
    ...(coverage ? vitestCoverageArgs(coverageOut) : []),
    'run',
    '--project', project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${outFile}`,
  ];
}

const summary = [];
let exitCode = 0;
// Steps around the suites that failed: each counts as one failure in the last line.
const setupFailures = [];
function setupFailed(message) {
  console.error(`test: ${message}`);
  setupFailures.push(message);
  exitCode = 1;
}

if (coverage) {
  rmSync(coverageDir, { recursive: true, force: true });
  if (process.platform !== 'win32' && want('integration') && !buildCoverageAddon()) setupFailed('building the gcov-instrumented test addon into build-coverage/ failed');
}

// npm pack, unpacked as an app would install it: the integration suite loads it
// from there to prove the tarball works with no build step.
function packForIntegration() {
  const dir = path.join(results, 'pack');
  const app = path.join(dir, 'app');
  const pkg = path.join(app, 'node_modules', 'windows-bits');
  mkdirSync(pkg, { recursive: true });
  const packed = spawnSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
  const tgz = packed.stdout?.trim().split('\n').pop();
  if (packed.status !== 0 || !tgz) {
    setupFailed(`npm pack failed (exit ${packed.status ?? packed.error?.message}): ${packed.stderr ?? ''}`.trim());
    return;
  }
  // Relative names, run in the archive's folder: GNU tar (Git for Windows puts it
  // first on PATH) reads the "D:" of an absolute Windows path as a remote host.
  // Windows' own bsdtar takes the same arguments.
  const tar = spawnSync('tar', ['xzf', path.basename(tgz), '-C', path.relative(dir, pkg), '--strip-components=1'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  if (tar.status !== 0) {
    setupFailed(`extracting ${tgz} with tar in ${dir} failed (${tar.error ? tar.error.message : `exit ${tar.status ?? tar.signal}`}): ${tar.stderr ?? ''}`.trim());
    return;
  }
  cpSync(path.join(root, 'node_modules', 'node-gyp-build'), path.join(app, 'node_modules', 'node-gyp-build'), { recursive: true });
  writeFileSync(path.join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n');
}

if (want('unit')) {
  const out = path.join(results, 'unit.json');
  const env = coverage ? { ...process.env, WINDOWS_BITS_CHILD_COVERAGE: childrenDir } : process.env;
  const r = spawnSync(process.execPath, [vitest, ...vitestArgs('unit', out, path.join(coverageDir, 'unit'))], { cwd: root, stdio: 'inherit', env });
  const c = countFile(out, r.status ?? 1);
  summary.push(['unit', `host Node ${process.version}`, c]);
  if (r.status !== 0 || c.failed > 0) exitCode = 1;
}

if (want('integration')) {
  const addon = path.join(root, 'build', 'Release', 'windows_bits.node');
  if (!existsSync(addon) && !existsSync(path.join(root, 'prebuilds', 'win32-x64'))) {
    console.error(`test: ${addon} is missing. Run 'npm run build' first (scripts/setup.sh does).`);
    process.exit(1);
  }
  packForIntegration();
  const certs = makeTestCertificates(path.join(results, 'certs'));
  if (certs) setupFailed(`making the test certificates: ${certs}`);
  // The examples run in the integration suite as users would run them, compiled.
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.examples.json'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) setupFailed(`compiling examples/ (tsc -p tsconfig.examples.json) failed (exit ${tsc.status ?? tsc.signal})`);
  const out = path.join(results, 'integration.json');
  let code;
  let where;
  if (process.platform === 'win32') {
    const env = coverage ? { ...process.env, WINDOWS_BITS_CHILD_COVERAGE: childrenDir } : process.env;
    code = spawnSync(process.execPath, [vitest, ...vitestArgs('integration', out, path.join(coverageDir, 'integration'))], { cwd: root, stdio: 'inherit', env }).status;
    where = `Windows BITS, Node ${process.version}`;
  } else {
    ensureWine();
    stopWine(); // a fresh wineserver: no jobs left over from an earlier run
    ({ code } = await runWindowsNode([toWinePath(vitest), ...vitestArgs('integration', toWinePath(out), toWinePath(path.join(coverageDir, 'integration')))], {
      logFile: path.join(results, 'integration.log'),
      env: coverage
        ? {
            ...(existsSync(coverageAddon) ? { WINDOWS_BITS_TEST_ADDON: toWinePath(coverageAddon) } : {}),
            WINDOWS_BITS_CHILD_COVERAGE: toWinePath(childrenDir),
          }
        : {},
    }));
    stopWine();
    where = `Wine's BITS, Windows Node ${process.version} under Wine`;
  }
  const c = countFile(out, code ?? 1);
  if (c.problems.includes('the run produced no results')) console.error('test: the integration run produced no results (see .test-results/integration.log)');
  summary.push(['integration', where, c]);
  if (code !== 0 || c.failed > 0) exitCode = 1;
}

if (coverage) await report(['unit', 'integration'].filter(want));

console.log('');
for (const line of closingLines(summary, setupFailures)) console.log(line);
process.exit(exitCode);
