// `bits monitor` on a terminal: it redraws in place until q or Ctrl-C, then
// gives the terminal back. A child process has no terminal here, so the command
// runs in this process with stdout and stdin made to look like one.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, test, vi } from 'vitest';

import { Context } from '../../lib/cli/context.js';
import { monitorCommand } from '../../lib/cli/monitor.js';
import { fileFixture, manager } from './helpers.js';

const { folder, created, createJob } = fileFixture();

const CLEAR = '\x1b[H\x1b[2J';

const restores: Array<() => void> = [];
/** Sets an own property for this test; afterEach puts the old one back. */
function override(target: object, key: string, value: unknown): void {
  const old = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { value, configurable: true, writable: true });
  restores.push(() => {
    if (old) Object.defineProperty(target, key, old);
    else Reflect.deleteProperty(target, key);
  });
}

/** Makes stdout a terminal whose writes are kept; resolves once `frames` redraws happened. */
function fakeTerminal(frames: number): { written: string[]; drawn: Promise<void> } {
  const written: string[] = [];
  let reached: () => void = () => undefined;
  const drawn = new Promise<void>((r) => (reached = r));
  override(process.stdout, 'isTTY', true);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    if (written.filter((w) => w.startsWith(CLEAR)).length >= frames) reached();
    return true;
  });
  return { written, drawn };
}

afterEach(() => {
  vi.restoreAllMocks();
  while (restores.length > 0) restores.pop()?.();
});

describe('bits monitor on a terminal', () => {
  test('redraws the job until Ctrl-C, then removes its SIGINT listener', async () => {
    const job = await createJob('monitor live');
    const sigintBefore = process.listenerCount('SIGINT');
    const { written, drawn } = fakeTerminal(3);
    const ctx = new Context(false);
    const running = monitorCommand(ctx, job.id, { interval: '0.1' });
    await drawn;
    process.emit('SIGINT');
    await running;
    ctx.close();
    vi.restoreAllMocks(); // stdout writes reach the runner again

    const frames = written.filter((w) => w.startsWith(CLEAR));
    expect(frames.length).toBeGreaterThanOrEqual(3);
    for (const f of frames) {
      expect(f).toContain('bits monitor');
      expect(f).toContain(job.id);
      expect(f).toContain('monitor live');
    }
    expect(process.listenerCount('SIGINT')).toBe(sigintBefore);
  });

  test('q quits, and stdin leaves raw mode and is paused again', async () => {
    const job = await createJob('monitor q');
    const { drawn } = fakeTerminal(1);
    const stdin = process.stdin;
    const rawModes: boolean[] = [];
    const dataListeners = stdin.listenerCount('data');
    override(stdin, 'isTTY', true);
    // stdin here is not a terminal and has no raw mode: record what was asked.
    override(stdin, 'setRawMode', (mode: boolean) => {
      rawModes.push(mode);
      return stdin;
    });
    const resume = vi.spyOn(stdin, 'resume').mockImplementation(() => stdin);
    const pause = vi.spyOn(stdin, 'pause').mockImplementation(() => stdin);
    // As an app leaves stdin after a prompt it paused: explicitly not flowing.
    // Node's stream docs ("Three states"): only a stream "that has not been
    // explicitly paused" switches to flowing for a new 'data' listener, so here the
    // command alone can make the keys flow. (The setter is Readable's own.)
    const state = stdin as { readableFlowing: boolean | null };
    const flowing = state.readableFlowing;
    state.readableFlowing = false;
    restores.push(() => (state.readableFlowing = flowing));
    const ctx = new Context(false);
    const running = monitorCommand(ctx, job.id, { interval: '60' });
    await drawn;
    stdin.emit('data', Buffer.from('q'));
    // The key ends the 60 s wait itself: the command settles long before the
    // next frame was due (a sleeping loop would still be asleep at this bound).
    const outcome = await Promise.race([running.then(() => 'quit'), new Promise((r) => setTimeout(() => r('still waiting'), 5_000))]);
    expect(outcome).toBe('quit');
    ctx.close();
    expect(rawModes).toEqual([true, false]);
    expect(resume).toHaveBeenCalledTimes(1);
    expect(pause).toHaveBeenCalledTimes(1);
    expect(stdin.listenerCount('data')).toBe(dataListeners);
  });

  test('without an id it follows the jobs that come and lets go of the jobs that leave', async () => {
    const m = await manager();
    const first = await m.createJob('monitor first');
    created.push(first);
    const { written } = fakeTerminal(Number.POSITIVE_INFINITY);
    const lastFrame = (): string => written.filter((w) => w.startsWith(CLEAR)).at(-1) ?? '';
    const ctx = new Context(false);
    const running = monitorCommand(ctx, undefined, { interval: '0.1' });
    await vi.waitFor(() => expect(lastFrame()).toContain(first.id), { timeout: 20_000, interval: 50 });
    const second = await m.createJob('monitor second');
    created.push(second);
    await vi.waitFor(() => expect(lastFrame()).toContain(second.id), { timeout: 20_000, interval: 50 });
    // A suspended job: cancelling it is safe under Wine. Windows drops a cancelled
    // job from EnumJobs at once; Wine on its transfer thread's next round, which
    // the next resumed job starts: the second job, copying a local file.
    await first.cancel();
    writeFileSync(path.join(folder.dir, 'src.bin'), 'monitor');
    await second.addFile(path.join(folder.dir, 'src.bin'), path.join(folder.dir, 'dst.bin'));
    await second.resume();
    await vi.waitFor(
      () => {
        expect(lastFrame()).not.toContain(first.id);
        expect(lastFrame()).toContain(second.id);
      },
      { timeout: 40_000, interval: 50 },
    );
    process.emit('SIGINT');
    await running;
    ctx.close();
  });
});
