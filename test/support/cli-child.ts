// The compiled `bits` CLI (compiled-child.ts) in a child process with the host's
// Node, its output collected line by line as a user's terminal would show it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { compiledLib } from './compiled-child.js';

export interface CliRun {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

/** `bits <args>`; `stdin`, when given, is written to it and closed, else it has none. */
export function runCli(args: string[], stdin?: string): CliRun {
  const child = spawn(process.execPath, [path.join(compiledLib(), 'cli', 'main.js'), ...args], { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  const run: CliRun = { child, stdout: [], stderr: [], exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  createInterface({ input: child.stdout! }).on('line', (l) => run.stdout.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => run.stderr.push(l));
  if (stdin !== undefined) child.stdin!.end(stdin);
  return run;
}
