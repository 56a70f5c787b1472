// The commands of the watch model: what BITS does (a change, a callback, a
// status read answered early, late or not at all), what the users do
// (listeners that record or throw, removeAllListeners, waits, close), and time.
// Each runs, lets every promise settle, then checks the properties.
import fc from 'fast-check';
import { vi } from 'vitest';

import type { StateName } from './scripted-binding.js';
import { checkRecorder, checkSettled, checkThrown, checkWait, checkWatchCount } from './watch-checks.js';
import { WATCHED } from './watch-world.js';
import type { Watched, World } from './watch-world.js';

type Cmd = fc.AsyncCommand<World, World>;

/** Every microtask and nextTick queued so far has run (setImmediate is not faked). */
export const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The watch count the run started from (other ids' watches are not ours). */
export const baseline = { count: 0 };

export async function afterCommand(w: World): Promise<void> {
  await flush();
  // With no interest the watch ends, and the next one starts from a read of its own.
  if (w.interests() === 0) w.synced = false;
  for (const r of w.recorders) checkRecorder(w, r);
  for (const wait of w.waits) checkWait(w, wait);
  checkWatchCount(w, baseline.count);
  checkThrown(w);
  if (w.violations.length > 0) throw new Error(w.violations.join('\n'));
}

abstract class Base implements Cmd {
  check(): boolean {
    return true;
  }
  abstract act(w: World): void | Promise<void>;
  abstract toString(): string;
  async run(_m: World, w: World): Promise<void> {
    await this.act(w);
    await afterCommand(w);
  }
}

const pick = <T>(xs: readonly T[], k: number): T | undefined => (xs.length === 0 ? undefined : xs[k % xs.length]);

/** The job moves on. Terminal states stay; 'transferred' only goes on to acknowledged or cancelled (complete, cancel). */
class Change extends Base {
  constructor(
    readonly state: StateName,
    readonly bytes: number,
  ) {
    super();
  }
  act(w: World): void {
    const t = w.truth;
    if (t.state === 'acknowledged' || t.state === 'cancelled') return;
    if (t.state === 'transferred' && this.state !== 'acknowledged' && this.state !== 'cancelled') return;
    const bytes = this.state === 'transferred' || this.state === 'acknowledged' || t.state === 'transferred' ? 100 : this.bytes;
    if (this.state === t.state && bytes === t.bytes) return;
    w.history.push({ at: w.tick(), state: this.state, bytes });
    w.synced = false;
  }
  toString(): string {
    return `change(${this.state}, ${this.bytes})`;
  }
}

class Notify extends Base {
  constructor(readonly withError: boolean) {
    super();
  }
  act(w: World): void {
    w.notify(this.withError);
  }
  toString(): string {
    return `callback${this.withError ? '(with error)' : ''}`;
  }
}

class Deliver extends Base {
  constructor(readonly k: number) {
    super();
  }
  act(w: World): void {
    const e = pick(w.pending, this.k);
    if (e) w.deliver(e);
  }
  toString(): string {
    return `deliver(callback #${this.k})`;
  }
}

class ReadAction extends Base {
  constructor(
    readonly what: 'sample' | 'answer' | 'fail',
    readonly k: number,
  ) {
    super();
  }
  act(w: World): void {
    const r = pick(this.what === 'sample' ? w.reads.filter((x) => x.sample === undefined) : w.reads, this.k);
    if (r) w[this.what](r);
  }
  toString(): string {
    return `${this.what}(read #${this.k})`;
  }
}

class Tick extends Base {
  constructor(readonly ms: number) {
    super();
  }
  async act(): Promise<void> {
    await vi.advanceTimersByTimeAsync(this.ms);
  }
  toString(): string {
    return `tick(${this.ms} ms)`;
  }
}

class Listen extends Base {
  constructor(
    readonly w: number,
    readonly prepend: boolean,
  ) {
    super();
  }
  act(w: World): void {
    if (!w.slots[this.w]!.closed) w.addRecorder(this.w, this.prepend);
  }
  toString(): string {
    return `${this.prepend ? 'prependListener' : 'on'}(job${this.w}, listener)`;
  }
}

class Unlisten extends Base {
  constructor(readonly k: number) {
    super();
  }
  act(w: World): void {
    const r = pick(
      w.recorders.filter((x) => x.on.size > 0),
      this.k,
    );
    if (r) w.removeRecorder(r);
  }
  toString(): string {
    return `off(listener #${this.k})`;
  }
}

class Throw extends Base {
  constructor(
    readonly w: number,
    readonly event: Watched,
  ) {
    super();
  }
  act(w: World): void {
    if (!w.slots[this.w]!.closed) w.addThrower(this.w, this.event);
  }
  toString(): string {
    return `on(job${this.w}, '${this.event}', throws)`;
  }
}

class RemoveAll extends Base {
  constructor(
    readonly w: number,
    readonly event: Watched | undefined,
  ) {
    super();
  }
  act(w: World): void {
    const job = w.slots[this.w]!.job;
    // Node tells the two apart by the number of arguments, not by undefined.
    if (this.event) job.removeAllListeners(this.event);
    else job.removeAllListeners();
    w.forget(this.w, this.event);
  }
  toString(): string {
    return `job${this.w}.removeAllListeners(${this.event ? `'${this.event}'` : ''})`;
  }
}

class Close extends Base {
  constructor(readonly w: number) {
    super();
  }
  act(w: World): void {
    const slot = w.slots[this.w]!;
    if (slot.closed) return;
    slot.closed = true;
    w.forget(this.w);
    slot.job.close();
  }
  toString(): string {
    return `job${this.w}.close()`;
  }
}

class Reopen extends Base {
  constructor(readonly w: number) {
    super();
  }
  act(w: World): void {
    if (w.slots[this.w]!.closed) w.open(this.w);
  }
  toString(): string {
    return `job${this.w} = getJob()`;
  }
}

class WaitFor extends Base {
  constructor(
    readonly w: number,
    readonly pollIntervalMs: number,
    readonly timeoutMs: number | undefined,
  ) {
    super();
  }
  act(w: World): void {
    w.startWait(this.w, this.pollIntervalMs, this.timeoutMs);
  }
  toString(): string {
    return `job${this.w}.waitForTransfer({ pollIntervalMs: ${this.pollIntervalMs}${this.timeoutMs === undefined ? '' : `, timeoutMs: ${this.timeoutMs}`} })`;
  }
}

/** Every callback delivered, every read answered, then polls until the watch has read the truth. */
class Settle extends Base {
  async act(w: World): Promise<void> {
    for (let round = 0; round < 3; round++) {
      for (const e of [...w.pending]) w.deliver(e);
      await flush();
      while (w.reads.length > 0) {
        w.answer(w.reads[0]!);
        await flush();
      }
      if (round < 2) await vi.advanceTimersByTimeAsync(2100);
    }
    await flush();
    w.synced = w.interests() > 0;
    checkSettled(w);
  }
  toString(): string {
    return 'settle';
  }
}

const STATES: StateName[] = ['queued', 'connecting', 'transferring', 'suspended', 'error', 'transient-error', 'transferred', 'acknowledged', 'cancelled'];
const slot = fc.integer({ min: 0, max: 1 });
const index = fc.nat({ max: 7 });
const event = fc.constantFrom<Watched>(...WATCHED);

const change = fc.tuple(fc.constantFrom(...STATES), fc.constantFrom(0, 10, 50)).map(([s, b]) => new Change(s, b));
const notify = fc.boolean().map((e) => new Notify(e));
const deliver = index.map((k) => new Deliver(k));
const read = fc.tuple(fc.constantFrom<'sample' | 'answer' | 'fail'>('sample', 'answer', 'answer', 'fail'), index).map(([a, k]) => new ReadAction(a, k));
const listen = fc.tuple(slot, fc.boolean()).map(([w, p]) => new Listen(w, p));

// What BITS does comes more often than what users do: the races are in between.
export const commands = fc.commands(
  [
    change,
    change,
    notify,
    notify,
    deliver,
    deliver,
    read,
    read,
    read,
    // Past Node's timer limit too: a deadline longer than 2^31-1 ms must neither fire early nor never.
    fc.constantFrom(5, 10, 100, 600, 2100, 2 ** 31 + 5000).map((ms) => new Tick(ms)),
    listen,
    listen,
    index.map((k) => new Unlisten(k)),
    fc.tuple(slot, event).map(([w, e]) => new Throw(w, e)),
    fc.tuple(slot, fc.option(event, { freq: 2 })).map(([w, e]) => new RemoveAll(w, e ?? undefined)),
    slot.map((w) => new Close(w)),
    slot.map((w) => new Reopen(w)),
    fc
      .tuple(slot, fc.constantFrom(10, 500), fc.option(fc.constantFrom(50, 3000, 2 ** 31, 2 ** 31 + 5000, Number.MAX_SAFE_INTEGER), { freq: 2 }))
      .map(([w, p, t]) => new WaitFor(w, p, t ?? undefined)),
    fc.constant(new Settle()),
  ],
  // FC_REPLAY_PATH: the replayPath fast-check prints in a counterexample's commands.
  { maxCommands: 50, size: 'medium', ...(process.env.FC_REPLAY_PATH === undefined ? {} : { replayPath: process.env.FC_REPLAY_PATH }) },
);

export const initialState = fc.constantFrom<StateName>('queued', 'transferring', 'suspended', 'transient-error');
export const eagerReads = fc.boolean();
