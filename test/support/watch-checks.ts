// The properties of the watch model, checked against what each user's object
// was told. The reference is World.history, the true states in order; the
// promise (README, "Events and waiting") is that each change reaches every
// listener once, in order, and that every wait settles.
import { BitsError, ObjectClosedError, TimeoutError } from '../../lib/index.js';
import { watchedJobCount } from '../../lib/job/watch.js';
import { FINAL } from './watch-world.js';
import type { Recorder, Truth, Wait, World } from './watch-world.js';

const key = (t: { state: string; bytes: number }): string => `${t.state}:${t.bytes}`;

/**
 * Whether `seen` is a subsequence of `truth`: each element at a later index than
 * the one before, and before `hist` (the history's length when it was emitted: a
 * listener cannot be told of a change that had not happened yet).
 */
function embeds(seen: Array<{ k: string; hist: number }>, truth: string[]): boolean {
  let h = -1;
  for (const s of seen) {
    let j = h + 1;
    while (j < s.hist && truth[j] !== s.k) j++;
    if (j >= s.hist) return false;
    h = j;
  }
  return true;
}

function anchorIndex(r: Recorder): number | undefined {
  if (typeof r.anchor === 'number') return r.anchor;
  return r.anchor?.done === 'answered' ? r.anchor.sample : undefined;
}

/** Each change once, in order, never backwards, 'transferred' right after its 'state'. */
export function checkRecorder(world: World, r: Recorder): void {
  const bad = (what: string): void => void world.violations.push(`listener ${r.id} (wrapper ${r.wrapper}): ${what}`);
  const states = r.log.flatMap((e) => (e.e === 'state' ? [e] : []));
  for (let i = 0; i < states.length; i++) {
    const e = states[i]!;
    if (e.state === e.previous) bad(`'state' ${e.state} with itself as previous`);
    if (i > 0 && e.previous !== states[i - 1]!.state) bad(`'state' ${e.previous}->${e.state} after ${states[i - 1]!.state}: a change lost or told twice`);
  }
  if (states.length > 0) {
    const seen = [{ k: states[0]!.previous, hist: states[0]!.hist }, ...states.map((e) => ({ k: e.state, hist: e.hist }))];
    if (!embeds(seen, world.history.map((t) => t.state)))
      bad(`'state' told ${seen.map((s) => s.k).join(' -> ')}, not in the order the job went (${world.history.map((t) => t.state).join(', ')})`);
  }
  const mods = r.log.flatMap((e) => (e.e === 'modification' ? [{ k: key(e), hist: e.hist }] : []));
  for (let i = 1; i < mods.length; i++) if (mods[i]!.k === mods[i - 1]!.k) bad(`'modification' ${mods[i]!.k} twice in a row`);
  if (!embeds(mods, world.history.map(key)))
    bad(`'modification' told ${mods.map((m) => m.k).join(', ')}, not in the order the job went (${world.history.map(key).join(', ')})`);
  r.log.forEach((e, i) => {
    const next = r.log[i + 1];
    if (e.e === 'state' && e.state === 'transferred' && e.on.has('transferred') && next?.e !== 'transferred') bad(`'state' transferred without 'transferred' after it`);
    if (e.e === 'transferred' && (r.log[i - 1]?.e !== 'state' || (r.log[i - 1] as { state: string }).state !== 'transferred') && r.on.has('state'))
      bad(`'transferred' without 'state' transferred before it`);
  });
}

/** After a settle the watch has read the truth: every listener must know it. */
export function checkSettled(world: World): void {
  const t: Truth = world.truth;
  for (const r of world.recorders) {
    const a = anchorIndex(r);
    const last = (kind: 'state' | 'modification'): string | undefined => {
      for (let i = r.log.length - 1; i >= 0; i--) {
        const e = r.log[i]!;
        if (e.e === 'state' && kind === 'state') return e.state;
        if (e.e === 'modification' && kind === 'modification') return key(e);
      }
      if (a === undefined) return undefined;
      return kind === 'state' ? world.history[a]!.state : key(world.history[a]!);
    };
    const s = last('state');
    if (r.on.has('state') && s !== undefined && s !== t.state) world.violations.push(`listener ${r.id} (wrapper ${r.wrapper}) knows state ${s}, the job is ${t.state}`);
    const m = last('modification');
    if (r.on.has('modification') && m !== undefined && m !== key(t)) world.violations.push(`listener ${r.id} (wrapper ${r.wrapper}) knows ${m}, the job is ${key(t)}`);
  }
  for (const w of world.waits) {
    if (w.outcome) continue;
    if (FINAL.has(t.state)) world.violations.push(`wait ${w.id} still pending with the job ${t.state}`);
    if (w.timeoutMs !== undefined && Date.now() - w.start >= w.timeoutMs) world.violations.push(`wait ${w.id} still pending ${Date.now() - w.start} ms into a ${w.timeoutMs} ms deadline`);
  }
}

const hadState = (world: World, hist: number, states: readonly string[]): boolean => world.history.slice(0, hist).some((h) => states.includes(h.state));

/** A wait settles with what the job did, at its deadline, at close, or with a failed read. */
export function checkWait(world: World, w: Wait): void {
  const o = w.outcome;
  const bad = (what: string): void => void world.violations.push(`wait ${w.id}: ${what}`);
  if (!o) {
    if (w.slot.closed) bad('still pending after its object was closed');
    return;
  }
  if (o.ok) {
    const ok = world.history.slice(0, o.hist).some((h) => (h.state === 'transferred' || h.state === 'acknowledged') && h.bytes === o.progress.bytesTransferred);
    if (!ok) bad(`resolved with ${o.progress.bytesTransferred} bytes, never a transferred state of the job`);
    return;
  }
  const e = o.error;
  if (e instanceof Error && world.thrown.has(e)) bad(`rejected with a listener's exception: ${e.message}`);
  else if (e instanceof TimeoutError) {
    if (w.timeoutMs === undefined || o.at - w.start < w.timeoutMs) bad(`TimeoutError after ${o.at - w.start} ms of a ${String(w.timeoutMs)} ms deadline`);
  } else if (e instanceof ObjectClosedError) {
    if (!w.slot.closed) bad('ObjectClosedError while its object is open');
  } else if (e instanceof Error && world.readFailures.has(e)) {
    // A status read failed while it waited: a wait gives up with it (Subscriber.onError).
  } else if (e instanceof BitsError && e.code === 'BITS_MC_JOB_CANCELLED') {
    if (!hadState(world, o.hist, ['cancelled'])) bad('rejected as cancelled, the job never was');
  } else if (e instanceof BitsError && e.code === 'BG_E_HTTP_ERROR_404') {
    if (!hadState(world, o.hist, ['error'])) bad("rejected with the job's error, the job never was in 'error'");
  } else bad(`rejected with ${String(e)}`);
}

/** One watch while anyone is interested, none after; one callback registration on open handles, none after. */
export function checkWatchCount(world: World, base: number): void {
  const interests = world.interests();
  const count = watchedJobCount() - base;
  if (count !== (interests > 0 ? 1 : 0)) world.violations.push(`watchedJobCount() is ${count} with ${interests} interests`);
  const open = [...world.registered].filter((n) => !world.closedNatives.has(n)).length;
  if (open > 1) world.violations.push(`${open} callback registrations at once`);
  if (interests === 0 && open > 0) world.violations.push('the callback is still registered with no interest left');
}

/** Every listener's exception reached process as uncaught (Node's rule for I/O emitters). */
export function checkThrown(world: World): void {
  for (const [e, seen] of world.thrown) if (!seen) world.violations.push(`a listener's exception never reached process as uncaught: ${e.message}`);
}
