// No code path of the package spawns a shell or a process: the point of calling
// BITS's COM API instead of bitsadmin or PowerShell.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => ext.test(f))
    .map((f) => path.join(dir, f));
}

describe('security', () => {
  test('lib/ never imports child_process or runs a program', () => {
    const hits = files('lib', /\.ts$/).filter((f) => /child_process|\bspawn\(|\bexecFile\(|\bexecSync\(|\bfork\(/.test(readFileSync(path.join(root, f), 'utf8')));
    expect(hits).toEqual([]);
  });

  test('native/ never starts a process or a shell', () => {
    const hits = files('native', /\.(cc|h)$/).filter((f) =>
      /\b(CreateProcess\w*|ShellExecute\w*|WinExec|system|_wsystem|_popen|_wpopen|_spawn\w*|_exec\w*)\s*\(/.test(readFileSync(path.join(root, f), 'utf8')),
    );
    expect(hits).toEqual([]);
  });

  test('the shipped JavaScript does not either', () => {
    const hits = files('dist', /\.js$/).filter((f) => /child_process/.test(readFileSync(path.join(root, f), 'utf8')));
    expect(hits).toEqual([]);
  });
});
