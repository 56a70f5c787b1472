// The package compiled once for the unit run (compile-lib.ts), run in child
// processes with the host's Node, which cannot load .ts: a test that kills a
// process, limits its files or samples its memory needs one of its own.
import { spawn } from 'node:child_process';
import type { ChildProcess, ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';

import { afterAll, inject } from 'vitest';

/** The folder of lib/ compiled to JavaScript, with source maps. */
export function compiledLib(): string {
  return inject('compiledLib');
}

/** A compiled module as a file URL, for import() in a child: `compiledModule('upload-server', 'index.js')`. */
export function compiledModule(...segments: string[]): string {
  return pathToFileURL(path.join(compiledLib(), ...segments)).href;
}

/**
 * Children of a test file, each an ES module's source text run by the host's
 * Node (`process.argv[1]` onward are its arguments), stdout piped and stderr
 * passed through. Whatever still runs after the file is killed with SIGKILL.
 * Call at the file's top level.
 */
export function moduleChildren(): { spawn(script: string, args: string[]): ChildProcessByStdio<null, Readable, null> } {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });
  return {
    spawn(script, args) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      return child;
    },
  };
}
