// Every Windows expectation in the integration suite names the Microsoft page it
// comes from (scripts/check-citations.mjs, also run by npm run lint).
import { fileURLToPath } from 'node:url';

import { describe, expect, test } from 'vitest';

import { uncitedBranches as uncited, uncitedInSuite } from '../../scripts/check-citations.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('citations of the Windows expectations', () => {
  test('no Windows branch in test/integration goes without its page', () => {
    expect(uncitedInSuite(root).map((f) => `${f.file}:${f.line} ${f.text}`)).toEqual([]);
  });

  test('the check finds each form of an uncited branch', () => {
    const text = [
      "await realOrNotImplemented(j.getPriority(), (p) => expect(p).toBe('high'), 'IBackgroundCopyJob::GetPriority');",
      'if (wine) {',
      'expect(await j.getFileACLFlags()).toBe(wine ? 0 : 1); // Wine\'s setter accepts and forgets',
      'test.skipIf(!wine)("x", () => {});',
      '// Microsoft says so.',
      'if (!wine) return;',
    ].join('\n');
    expect(uncited(text).map((f) => f.line)).toEqual([1, 2, 3, 4, 6]);
  });

  test('a citation on the line or in the comment block above counts; strings, comments and imports are no branch', () => {
    const text = [
      "import { wine } from './helpers.js';",
      '// GetPriority: the priority the job was given',
      '// (a second comment line)',
      "await realOrNotImplemented(j.getPriority(), (p) => expect(p).toBe('high'), 'IBackgroundCopyJob::GetPriority');",
      'if (wine) return; // "Life Cycle of a BITS Job": a cancelled job leaves the queue',
      "const j = await m.createJob('upload on wine');",
      '// under wine this differs',
      "expect(x).toBe(wine ? 1 : 2); // [MC-BUP] 3.2.5.1.1: the session id",
      "expect(y).toBe(wine ? 1 : 2); // Microsoft: it says so",
    ].join('\n');
    expect(uncited(text).map((f) => f.line)).toEqual([9]);
  });
});
