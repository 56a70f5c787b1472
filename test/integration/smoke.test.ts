// scripts/smoke.mjs, the Windows CI job's first step, run where BITS is: it
// serves a file, downloads it with the real `bits` CLI and says "ok" in one line.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, test } from 'vitest';

import { fileFixture } from './helpers.js';

const { folder } = fileFixture();

test('the smoke step passes against this BITS, with its one ok line', () => {
  const script = fileURLToPath(new URL('../../scripts/smoke.mjs', import.meta.url));
  // Output to a file: Windows Node under Wine cannot write to a pipe. The smoke
  // script's server lives in its own process, so waiting synchronously is fine.
  const log = path.join(folder.dir, 'smoke.log');
  const fd = openSync(log, 'w');
  const run = spawnSync(process.execPath, [script], { stdio: ['ignore', fd, fd], timeout: 55_000, env: { ...process.env, SMOKE_DEADLINE_S: '45' } });
  closeSync(fd);
  const output = readFileSync(log, 'utf8');
  expect(run.status, output).toBe(0);
  expect(output.trim()).toBe('smoke: ok: bits download moved 1000000 bytes from a local server intact');
});
