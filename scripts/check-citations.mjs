// npm run lint: every Windows expectation in the integration suite cites the page
// it comes from. The Windows half of those tests has not run on Windows, so the
// only oracle for it is Microsoft's documentation; an expectation with no page
// behind it is a guess that would teach the code the wrong value.
//
// A Windows branch is a line that calls realOrNotImplemented() or reads `wine`
// (if (wine), wine ? a : b, skipIf(!wine), ...). It is cited when that line, or the
// comment block right above it, holds `// <Page>: <subject>`, where <Page> is a
// method or interface name as Microsoft's reference spells it (SetHttpMethod,
// IBackgroundCopyJob4, EnumJobs, Cancel), a guide page in double quotes ("Life Cycle of a
// BITS Job") or an [MC-BUP] section. Where the page is silent the comment says so
// (`// GetTemporaryName: silent before the transfer; ...`).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PAGE = String.raw`(?:I[A-Z]\w*::)?(?:I?[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*|Cancel|Complete|Resume|Suspend)|"[A-Z][^"]+"|\[MC-BUP\][^:]*`;
const CITATION = new RegExp(String.raw`^\/\/.*?(?:^|[\s(,/])(?:${PAGE}): \S`);
const MECHANISM = new Set(['helpers.ts', 'elevation.ts']);
const BRANCH = /\brealOrNotImplemented\s*\(|\bwine\b/;

/** A line split into its code (string literals blanked, so none counts as a branch) and its `//` comment. */
function split(line) {
  const blanked = line.replace(/(['"`])(?:\\.|(?!\1).)*\1/g, (s) => `"${' '.repeat(s.length - 2)}"`);
  const at = blanked.indexOf('//');
  return at < 0 ? { code: blanked.trim(), comment: '' } : { code: blanked.slice(0, at).trim(), comment: line.slice(at) };
}
const cites = (line) => CITATION.test(split(line).comment);

/**
 * The Windows branches of one test file's text that cite no page: their 1-based
 * line numbers and text.
 */
export function uncitedBranches(text) {
  const lines = text.split('\n');
  const out = [];
  lines.forEach((line, i) => {
    const { code } = split(line);
    if (!BRANCH.test(code) || /^import\b/.test(code) || /^\}?\s*from\b/.test(code)) return;
    if (cites(line)) return;
    for (let j = i - 1; j >= 0 && /^\s*\/\//.test(lines[j]); j--) if (cites(lines[j])) return;
    out.push({ line: i + 1, text: line.trim() });
  });
  return out;
}

/** Every uncited Windows branch under test/integration (helpers.ts and elevation.ts define the branches; they assert nothing of their own). */
export function uncitedInSuite(root) {
  const dir = path.join(root, 'test', 'integration');
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.ts') || MECHANISM.has(name)) continue;
    for (const b of uncitedBranches(readFileSync(path.join(dir, name), 'utf8'))) found.push({ file: `test/integration/${name}`, ...b });
  }
  return found;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const found = uncitedInSuite(root);
  for (const f of found) console.error(`citations: ${f.file}:${f.line} Windows branch cites no page: ${f.text}`);
  console.log(`citations: ${found.length} Windows branches in test/integration without a page cited`);
  process.exit(found.length > 0 ? 1 : 0);
}
