// `bits list` reads from disk only what listing needs: each command's code is
// loaded when that command runs (lib/cli/main.ts). Every file costs start-up
// time, under Wine and under a Windows virus scanner alike. Run with the host's
// Node on the unit run's compiled lib/, with a module hook that names each file.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { expect, test } from 'vitest';

import { compiledLib } from '../support/compiled-child.js';

const hooks = `data:text/javascript,${encodeURIComponent(
  "export async function load(url, context, next) { if (url.startsWith('file:')) process.stderr.write('LOADED ' + url + '\\n'); return next(url, context); }",
)}`;
const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hooks)});`)}`;

function loadedBy(args: string[]): string[] {
  const dist = compiledLib();
  let stderr = '';
  try {
    execFileSync(process.execPath, ['--import', register, path.join(dist, 'cli', 'main.js'), ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    // Off Windows the command itself fails (exit 3, not supported): what it loaded still counts.
    stderr = (e as { stderr: string }).stderr;
  }
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED ') && l.includes(path.basename(dist)))
    .map((l) => l.slice(l.indexOf(path.basename(dist)) + path.basename(dist).length + 1));
}

test('bits list loads no upload server, monitor, progress bar or transfer code', () => {
  const files = loadedBy(['list', '--json']);
  expect(files).toContain('cli/job-commands.js'); // the hook sees the files (so an empty list means nothing)
  expect(files.filter((f) => f.startsWith('upload-server/'))).toEqual([]);
  expect(files).not.toContain('cli/monitor.js');
  expect(files).not.toContain('cli/progress-bar.js');
  expect(files).not.toContain('cli/serve-uploads.js');
  expect(files).not.toContain('transfer.js');
});
