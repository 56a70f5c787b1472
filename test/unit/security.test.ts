// No code path of the package spawns a shell or a process: the point of calling
// BITS's COM API instead of bitsadmin or PowerShell.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';

import { REFUSED, options } from '../../scripts/bundle.mjs';

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

  // commander is bundled into the CLI. Its one way to start a process is an
  // executable subcommand ("bits-sub" run as its own program); bundled with the
  // CLI's options, that path must throw instead of running the program.
  test("commander bundled as the CLI bundles it cannot start a subcommand's program", async () => {
    mkdirSync(path.join(root, '.test-results'), { recursive: true });
    const dir = mkdtempSync(path.join(root, '.test-results', 'spawn-'));
    try {
      const ran = path.join(dir, 'ran');
      const program = path.join(dir, 'sub.js');
      writeFileSync(program, `require('node:fs').writeFileSync(${JSON.stringify(ran)}, 'ran');\n`);
      const entry = path.join(dir, 'entry.mjs');
      writeFileSync(
        entry,
        `import { Command } from 'commander';\n` +
          `const p = new Command('t');\n` +
          `p.command('sub', 'an executable subcommand', { executableFile: ${JSON.stringify(program)} });\n` +
          `p.parse(['node', 't', 'sub']);\n`,
      );
      await build({ ...options(path.join(dir, 'out'), [entry]), outbase: dir });
      const r = spawnSync(process.execPath, [path.join(dir, 'out', 'entry.js')], { encoding: 'utf8', timeout: 30_000 });
      expect(r.stderr).toContain(REFUSED);
      expect(r.status).not.toBe(0);
      expect(existsSync(ran)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
