// What `npm pack` ships: the prebuild and the compiled JS with its types, and no
// tests or build leftovers. The integration suite loads the same tarball.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('package', () => {
  const listing = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' })) as Array<{
    files: Array<{ path: string }>;
  }>;
  const files = listing[0]?.files.map((f) => f.path) ?? [];

  test('holds the win32-x64 prebuild and dist with types', () => {
    expect(files).toContain('prebuilds/win32-x64/windows-bits.node');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('package.json');
  });

  test("the package's types stand alone: no .d.ts refers to the addon's binding.d.ts", () => {
    const types = files.filter((f) => f.endsWith('.d.ts'));
    expect(types.length).toBeGreaterThan(10);
    expect(files).not.toContain('binding.d.ts');
    const leaking = types.filter((f) => /from '(\.\.\/)+binding\.js'/.test(readFileSync(path.join(root, f), 'utf8')));
    expect(leaking).toEqual([]);
  });

  test('holds no tests, builds, Wine prefix or scripts', () => {
    const junk = files.filter((f) => /^(test|build|\.wine|\.test-results|scripts|bench|node_modules)\//.test(f) || f.endsWith('.tgz'));
    expect(junk).toEqual([]);
  });

  test('CommonJS callers can require() the ES module (Node >= 20.19)', () => {
    const out = execFileSync(process.execPath, ['-e', "const b = require('./dist/index.js'); console.log(typeof b.BackgroundCopyManager.connect)"], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('function');
  });
});
