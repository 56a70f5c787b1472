// lib/ to dist/ as the package ships it: esbuild writes the bundles, and tsc
// (tsconfig.build.json) writes only the .d.ts files beside them. Every file costs
// start-up time, under Wine and under a Windows virus scanner alike.
// - `import('windows-bits')` reads dist/index.js and the one chunk it shares with
//   the plain-HTTP fallback (dist/chunks/); the fallback's own chunks, with the
//   node:http, node:crypto and streams it needs, load when a transfer falls back.
// - `windows-bits/upload-server` is one file, built on its own so that it shares
//   no chunk with the index.
// - The CLI is split: its commands stay separate chunks, loaded by main.ts's
//   dynamic imports when that command runs, so `bits list` reads no upload
//   server, monitor or progress bar. commander is bundled into it (see builtins
//   below), so `bits` reads none of commander's files from node_modules.
// node-gyp-build finds the addon from the package root and undici is loaded only by
// the fallback: they stay outside as dependencies. Source maps (without the
// sources, as tsc wrote them) map stack traces and coverage back to lib/. Not
// minified: it made no difference measured on the host, and readable stack
// traces without --enable-source-maps are worth more.
// Usage: node scripts/bundle.mjs [outdir]   (default dist/)
import { copyFileSync, mkdirSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = (await import(new URL('../package.json', import.meta.url).href, { with: { type: 'json' } })).default;

/** What the bundle gets for Node's process-spawning module. */
export const REFUSED = 'windows-bits starts no process';

/**
 * Node's built-in modules, as the bundle reads them. Each is the module object
 * itself (process.getBuiltinModule, Node >= 20.16), never Node's ESM facade of it:
 * the facade reads every export, and `node:fs`'s lazy stream getters alone load
 * some twenty internal modules at start. commander's require() calls need this
 * too, since an ES module has no require. The one module that starts processes
 * is replaced by functions that throw: commander uses it only for executable
 * subcommands, which `bits` never defines, so the shipped JavaScript cannot
 * spawn anything even by mistake (test/unit/security.test.ts).
 */
export const builtins = {
  name: 'builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_]+(\/[a-z_]+)?$/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      const id = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
      if (id === 'node:child_process') return { path: 'refused', namespace: 'no-process' };
      return { path: id, namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`, loader: 'js' }));
    b.onLoad({ filter: /.*/, namespace: 'no-process' }, () => ({
      contents: `const refuse = () => { throw new Error(${JSON.stringify(REFUSED)}); };\nmodule.exports = { spawn: refuse, spawnSync: refuse, exec: refuse, execSync: refuse, execFile: refuse, execFileSync: refuse, fork: refuse };`,
      loader: 'js',
    }));
  },
};

/** esbuild's options for one entry point (or a split group of them) of lib/. */
export function options(outdir, entryPoints, extra = {}) {
  return {
    absWorkingDir: root,
    entryPoints,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    sourcesContent: false,
    external: Object.keys(pkg.dependencies),
    plugins: [builtins],
    outbase: 'lib',
    outdir,
    metafile: true,
    logLevel: 'warning',
    ...extra,
  };
}

/** Bundles lib/ into `outdir`; resolves with the files written, relative to it. */
export async function bundle(outdir = path.join(root, 'dist')) {
  const results = await Promise.all([
    build(options(outdir, ['lib/index.ts'], { splitting: true, chunkNames: 'chunks/[name]-[hash]' })),
    build(options(outdir, ['lib/upload-server/index.ts'])),
    build(options(outdir, ['lib/cli/main.ts'], { splitting: true, chunkNames: 'cli/chunks/[name]-[hash]' })),
  ]);
  // commander's MIT licence asks for its notice in every copy: beside the CLI that holds it.
  mkdirSync(path.join(outdir, 'cli'), { recursive: true });
  copyFileSync(path.join(root, 'node_modules', 'commander', 'LICENSE'), path.join(outdir, 'cli', 'commander-LICENSE'));
  return results.flatMap((r) => Object.keys(r.metafile.outputs)).map((f) => path.relative(outdir, path.resolve(root, f)).split(path.sep).join('/'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundle(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
}
