// Compiles lib/ with the build's tsconfig into a private folder under
// .test-results/, for tests that must run the package in a child process with
// the host's Node (which cannot load .ts files). Each test file gets its own
// output, so files running in parallel never share a half-written dist.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** Builds lib/ into a fresh folder (inside the repository, so node_modules resolves) and returns it. */
export function compileLib(): { dist: string; cleanup(): void } {
  const parent = path.join(root, '.test-results');
  mkdirSync(parent, { recursive: true });
  const dist = mkdtempSync(path.join(parent, 'dist-'));
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', dist, '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false'], { cwd: root, stdio: 'pipe' });
  return { dist, cleanup: () => rmSync(dist, { recursive: true, force: true }) };
}
