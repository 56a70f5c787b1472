// lib/ coverage of the Node processes the tests start (the `bits` CLI, the fixtures):
// test/support/child-coverage.ts has each of them write V8's raw coverage into
// coverage/children-<project>/ (NODE_V8_COVERAGE). They run lib/ compiled by tsc
// (dist/, or a private copy under .test-results/ from compileLib()), so each script's
// counts go back to lib/*.ts through tsc's source maps (ast-v8-to-istanbul, with
// acorn's AST), into istanbul's format, to be merged with what vitest measured in its
// own workers. Scripts outside this checkout, in a node_modules folder (so also the
// packed copy the suite installs) or without a source map are not counted.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'acorn';
import { convert } from 'ast-v8-to-istanbul';

/** A script's file on this host: file:///Z:/work/... (Windows Node under Wine) or file:///work/... */
function hostPath(url) {
  if (!url.startsWith('file:///')) return null;
  let p = decodeURIComponent(url.slice('file://'.length));
  // Wine's Z: drive is the Linux root; on Windows itself the path stays as it is.
  if (process.platform !== 'win32') p = p.replace(/^\/[A-Za-z]:/, '');
  else p = p.replace(/^\//, '');
  return path.resolve(p);
}

/** Where the processes started by the tests of `project` write V8's coverage. */
export function childCoverageDir(coverageDir, project) {
  return path.join(coverageDir, `children-${project}`);
}

/**
 * Every children-<project>/ folder's compiled lib/ scripts, as istanbul coverage
 * data of the lib/ sources (one object per process and script, to be merged).
 */
export async function childCoverage(coverageDir, root, projects) {
  const inside = path.join(root, path.sep);
  const parsed = new Map(); // file -> { code, ast, sourceMap } | null
  const out = [];
  let processes = 0;
  for (const project of projects) {
    const dir = childCoverageDir(coverageDir, project);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      let doc;
      try {
        doc = JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
      } catch {
        continue; // a process killed while writing: its counts are lost, not wrong
      }
      processes++;
      for (const script of doc.result ?? []) {
        const file = hostPath(script.url);
        if (!file || !file.startsWith(inside) || file.includes(`${path.sep}node_modules${path.sep}`) || !file.endsWith('.js')) continue;
        if (!parsed.has(file)) parsed.set(file, load(file));
        const src = parsed.get(file);
        if (!src) continue;
        out.push(
          await convert({
            code: src.code,
            ast: src.ast,
            wrapperLength: 0,
            coverage: { url: `file://${file.split(path.sep).join('/')}`, functions: script.functions },
            sourceMap: src.sourceMap,
          }),
        );
      }
    }
  }
  return { processes, data: out };
}

function load(file) {
  const map = `${file}.map`;
  if (!existsSync(file) || !existsSync(map)) return null;
  const code = readFileSync(file, 'utf8');
  return { code, ast: parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true }), sourceMap: JSON.parse(readFileSync(map, 'utf8')) };
}
