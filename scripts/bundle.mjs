// lib/ to dist/ as the package ships it: esbuild writes one file for each entry
// point, and tsc (tsconfig.build.json) writes only the .d.ts files beside them.
// Every file costs start-up time, under Wine and under a Windows virus scanner
// alike, so `import('windows-bits')` reads one file of ours and
// `windows-bits/upload-server` another. The CLI is split: its commands stay
// separate chunks, loaded by main.ts's dynamic imports when that command runs, so
// `bits list` reads no upload server, monitor or progress bar. The dependencies
// stay outside: node-gyp-build finds the addon from the package root, undici is
// loaded only by the plain-HTTP fallback. Source maps (without the sources, as
// tsc wrote them) map stack traces and coverage back to lib/.
// Usage: node scripts/bundle.mjs [outdir]   (default dist/)
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = (await import(new URL('../package.json', import.meta.url).href, { with: { type: 'json' } })).default;

/** Bundles lib/ into `outdir`; resolves with the files written, relative to it. */
export async function bundle(outdir = path.join(root, 'dist')) {
  const common = {
    absWorkingDir: root,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    sourcesContent: false,
    external: Object.keys(pkg.dependencies),
    outbase: 'lib',
    outdir,
    metafile: true,
    logLevel: 'warning',
  };
  const results = await Promise.all([
    build({ ...common, entryPoints: ['lib/index.ts', 'lib/upload-server/index.ts'] }),
    build({ ...common, entryPoints: ['lib/cli/main.ts'], splitting: true, chunkNames: 'cli/chunks/[name]-[hash]' }),
  ]);
  return results.flatMap((r) => Object.keys(r.metafile.outputs)).map((f) => path.relative(outdir, path.resolve(root, f)).split(path.sep).join('/'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundle(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
}
