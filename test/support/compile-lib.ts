// Global setup of the unit project: lib/ built once, with the build's tsconfig,
// into a private folder under .test-results/, for the tests that run the package
// in a child process with the host's Node (which cannot load .ts). Test files
// run in parallel, so none of them builds its own copy or touches dist/; they get
// this folder through inject('compiledLib') (test/support/compiled-child.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** lib/ compiled to JavaScript, with source maps, for child processes. */
    compiledLib: string;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));

export default function setup(project: TestProject): () => void {
  const parent = path.join(root, '.test-results');
  mkdirSync(parent, { recursive: true });
  const dist = mkdtempSync(path.join(parent, 'dist-'));
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', dist, '--declaration', 'false', '--declarationMap', 'false'], { cwd: root, stdio: 'pipe' });
  project.provide('compiledLib', dist);
  // A measured run (test/support/child-coverage.ts) reads the children's coverage
  // through this copy's source maps after the suite; scripts/test.mjs empties
  // .test-results/ at the start of the next run.
  return () => {
    if (!process.env.WINDOWS_BITS_CHILD_COVERAGE) rmSync(dist, { recursive: true, force: true });
  };
}
