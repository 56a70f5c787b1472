// The release workflow's gate before `npm publish --provenance`: the tag names
// package.json's version, both Windows prebuilds are in prebuilds/, and (with
// --load, on Windows x64 or arm64) the prebuild of this machine's architecture loads
// through node-gyp-build, as an installed package would load it, and exports the
// product's functions. --load-only does the load alone (CI, which has no tag and
// builds one architecture per job). Nothing here needs BITS. Usage:
// node scripts/release-check.mjs [<tag>] [--load | --load-only]; the tag defaults
// to GITHUB_REF_NAME, which GitHub sets for a tag push.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { PRODUCT_EXPORTS } from './product-exports.mjs';

export const ARCHES = ['x64', 'arm64'];
/** Where node-gyp-build finds this package's addon when no build/ exists (prebuildify's layout; the name is package.json's, not the CMake target's). */
export const prebuildFile = (arch) => path.join('prebuilds', `win32-${arch}`, 'windows-bits.node');
/** Functions every shipped addon exports (the one list, product-exports.mjs); loading must not call any of them. */
export { PRODUCT_EXPORTS };

/** What is wrong with this release, one message each; empty when it may go. */
export function releaseProblems({ tag, version, has }) {
  const problems = [];
  if (tag !== `v${version}`) problems.push(`the tag '${tag}' does not name package.json's version ${version} (expected 'v${version}')`);
  for (const arch of ARCHES) if (!has(prebuildFile(arch))) problems.push(`${prebuildFile(arch).replace(/\\/g, '/')} is missing`);
  return problems;
}

/** What the loaded addon lacks of the product's functions. */
export function exportProblems(binding) {
  return PRODUCT_EXPORTS.filter((name) => typeof binding?.[name] !== 'function').map((name) => `the prebuild does not export the function '${name}'`);
}

function main() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const args = process.argv.slice(2);
  const tag = args.find((a) => !a.startsWith('--')) ?? process.env.GITHUB_REF_NAME ?? '';
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const loadOnly = args.includes('--load-only');
  const load = loadOnly || args.includes('--load');
  const problems = loadOnly ? [] : releaseProblems({ tag, version, has: (f) => existsSync(path.join(root, f)) });
  if (problems.length === 0 && load) {
    const require = createRequire(import.meta.url);
    const nodeGypBuild = require('node-gyp-build');
    // node-gyp-build prefers build/Release: make sure it is the prebuild that loads.
    const found = nodeGypBuild.path(root);
    const expected = path.join(root, prebuildFile(process.arch));
    if (path.resolve(found) !== path.resolve(expected)) problems.push(`node-gyp-build picks ${found}, not ${expected}`);
    else problems.push(...exportProblems(nodeGypBuild(root)));
  }
  for (const p of problems) console.error(`release-check: ${p}`);
  const loaded = load ? `the ${process.arch} prebuild loads and exports ${PRODUCT_EXPORTS.join(', ')}` : '';
  if (problems.length === 0) console.log(`release-check: ${loadOnly ? loaded : `${tag} is package.json's version; ${ARCHES.map((a) => `win32-${a}`).join(' and ')} prebuilds present${load ? `; ${loaded}` : ''}`}`);
  return problems.length === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
