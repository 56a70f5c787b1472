// npm run lint: the house rules a compiler does not check.
// - No import cycle in lib/ (every import counts, `import type` too: a cycle of
//   types is still two files that cannot be read apart) nor among native/'s
//   #include "..." files.
// - Arrows point one way (see directionBreaches): native/runtime/ includes
//   nothing from native/bits/, and job/ with everything it stands on imports
//   nothing from cli/ or upload-server/. A one-way arrow is no cycle, so the
//   cycle search alone would miss these.
// - No source file in lib/ or native/ over 400 lines.
// Prints each breach and exits 1; a list of files proves nothing, so the counts
// of what was read are printed too.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const MAX_LINES = 400;

function walk(dir, keep) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full, keep));
    else if (keep(name)) out.push(full);
  }
  return out;
}

/** Edges of lib/: relative imports and re-exports, `.js` mapped back to `.ts`. */
function tsEdges(file) {
  const text = readFileSync(file, 'utf8');
  const edges = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]|^\s*import\s*['"](\.[^'"]+)['"]/gm)) {
    const spec = m[1] ?? m[2];
    const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
    edges.push(target);
  }
  return edges;
}

/** Edges of native/: #include "x" resolved beside the file, then from native/ and its folders. */
function cxxEdges(file, all) {
  const text = readFileSync(file, 'utf8');
  const edges = [];
  for (const m of text.matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)) {
    const candidates = [path.resolve(path.dirname(file), m[1]), ...['native', 'native/runtime', 'native/bits'].map((d) => path.join(root, d, m[1]))];
    const hit = candidates.find((c) => all.has(c));
    if (hit) edges.push(hit);
  }
  return edges;
}

/** Every cycle's files, found by depth-first search (each cycle reported once). */
function cycles(graph) {
  const found = [];
  const seen = new Set();
  const state = new Map(); // 1: on the stack, 2: done
  const stack = [];
  const visit = (node) => {
    state.set(node, 1);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 1) {
        const cycle = stack.slice(stack.indexOf(next));
        const key = [...cycle].sort().join('|');
        if (!seen.has(key)) {
          seen.add(key);
          found.push([...cycle, next]);
        }
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 2);
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

const rel = (f) => path.relative(root, f);
const under = (dir, f) => !path.relative(path.join(root, dir), f).startsWith('..');
let failed = false;

/** Every file `from` reaches through its imports, `from` included. */
function reach(graph, from) {
  const seen = new Set(from);
  const todo = [...from];
  while (todo.length > 0) {
    for (const next of graph.get(todo.pop()) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
    }
  }
  return seen;
}

/**
 * The layering rules, as breaches "file -> file (why)".
 * - native/runtime/ is the Node-API and COM plumbing and knows nothing of BITS:
 *   no file in it includes one from native/bits/ (the module, native/addon.cc,
 *   plugs BITS's parts in).
 * - In lib/, "below job/" means job/ and every file it imports, directly or
 *   through others: the rooms the job classes stand on (binding, handle, errors,
 *   hresult-*, enums, guid, validate, file, ...). cli/ (the `bits` command) and
 *   upload-server/ (a server for BITS's upload protocol) sit on top: they may
 *   import the rest, and nothing below job/ may import them.
 */
function directionBreaches(libGraph, nativeGraph) {
  const breaches = [];
  for (const [file, edges] of nativeGraph) {
    if (!under('native/runtime', file)) continue;
    for (const to of edges) if (under('native/bits', to)) breaches.push(`${rel(file)} -> ${rel(to)} (native/runtime/ must not include native/bits/)`);
  }
  const below = reach(libGraph, [...libGraph.keys()].filter((f) => under('lib/job', f)));
  for (const file of below) {
    if (under('lib/cli', file) || under('lib/upload-server', file)) continue; // reported at the edge that reaches it
    for (const to of libGraph.get(file) ?? []) {
      if (under('lib/cli', to) || under('lib/upload-server', to)) breaches.push(`${rel(file)} -> ${rel(to)} (below lib/job/, must not import lib/cli/ or lib/upload-server/)`);
    }
  }
  return { breaches, below: below.size };
}

const libFiles = walk(path.join(root, 'lib'), (n) => n.endsWith('.ts'));
const libGraph = new Map(libFiles.map((f) => [f, tsEdges(f)]));
const nativeFiles = walk(path.join(root, 'native'), (n) => /\.(cc|h)$/.test(n));
const nativeSet = new Set(nativeFiles);
const nativeGraph = new Map(nativeFiles.map((f) => [f, cxxEdges(f, nativeSet)]));

for (const [what, graph] of [
  ['lib/', libGraph],
  ['native/', nativeGraph],
]) {
  const found = cycles(graph);
  for (const c of found) console.error(`structure: import cycle in ${what}: ${c.map(rel).join(' -> ')}`);
  if (found.length > 0) failed = true;
  const edges = [...graph.values()].reduce((n, e) => n + e.length, 0);
  console.log(`structure: ${what} ${graph.size} files, ${edges} imports, ${found.length} cycles`);
}

const direction = directionBreaches(libGraph, nativeGraph);
for (const b of direction.breaches) console.error(`structure: arrow pointing the wrong way: ${b}`);
if (direction.breaches.length > 0) failed = true;
console.log(`structure: direction: ${direction.below} lib/ files at or below job/, ${direction.breaches.length} wrong-way arrows`);

for (const f of [...libFiles, ...nativeFiles]) {
  const lines = readFileSync(f, 'utf8').split('\n').length - 1;
  if (lines > MAX_LINES) {
    console.error(`structure: ${rel(f)} has ${lines} lines; the limit is ${MAX_LINES}: split it by concern`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
