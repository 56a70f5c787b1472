// The live progress line of `bits download`, `upload` and `wait`, drawn on a fake
// terminal. Date.now is faked where the rate and the ETA must be exact: time is
// set, never waited for.
import { Writable } from 'node:stream';

import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

import { ProgressBar } from '../../lib/cli/progress-bar.js';
import type { JobProgress } from '../../lib/index.js';

/** A stream that keeps what is written; isTTY as a terminal (or a pipe) says it. */
class FakeStream extends Writable {
  readonly isTTY: boolean;
  readonly written: string[] = [];

  constructor(isTTY: boolean) {
    super({ decodeStrings: false });
    this.isTTY = isTTY;
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.written.push(String(chunk));
    done();
  }

  get stream(): NodeJS.WriteStream {
    return this as unknown as NodeJS.WriteStream;
  }
}

const MB = 1024 * 1024;
const CLEAR = '\r\x1b[2K';
const cyan = (s: string): string => `\x1b[36m${s}\x1b[39m`;
const progress = (bytesTransferred: number, bytesTotal: number | null, files = [0, 1]): JobProgress => ({
  bytesTransferred,
  bytesTotal,
  filesTransferred: files[0] ?? 0,
  filesTotal: files[1] ?? 0,
});

const saved = { NO_COLOR: process.env.NO_COLOR, TERM: process.env.TERM };
beforeEach(() => {
  // Colors on: the bar is painted cyan on a terminal.
  Reflect.deleteProperty(process.env, 'NO_COLOR');
  process.env.TERM = 'xterm';
  vi.useFakeTimers({ now: new Date('2025-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) Reflect.deleteProperty(process.env, k);
    else process.env[k] = v;
  }
});

describe('ProgressBar with a known size', () => {
  test('draws the filled share, the percentage, bytes, the rate since it started and the ETA, in place', () => {
    const out = new FakeStream(true);
    const bar = new ProgressBar(out.stream);
    vi.setSystemTime(Date.now() + 100_000);
    // 1 MB in 100 s: 10.24 KB/s, and 99 MB to go takes 9900 s.
    bar.update(progress(1 * MB, 100 * MB, [0, 3]));
    vi.setSystemTime(Date.now() + 100_000);
    // 50 MB in 200 s: 256 KB/s, and the other 50 MB take 200 s more.
    bar.update(progress(50 * MB, 100 * MB, [1, 3]));
    vi.setSystemTime(Date.now() + 200_000);
    bar.update(progress(100 * MB, 100 * MB, [3, 3]));
    expect(out.written).toEqual([
      `${CLEAR}${cyan('░'.repeat(30))}   1% 1.0 MB/100.0 MB 10.2 KB/s ETA 2h45m files 0/3`,
      `${CLEAR}${cyan(`${'█'.repeat(15)}${'░'.repeat(15)}`)}  50% 50.0 MB/100.0 MB 256.0 KB/s ETA 3m20s files 1/3`,
      `${CLEAR}${cyan('█'.repeat(30))} 100% 100.0 MB/100.0 MB 256.0 KB/s ETA 0s files 3/3`,
    ]);
  });

  test('no time has passed yet: no rate and an unknown ETA, until a second later', () => {
    const out = new FakeStream(true);
    const bar = new ProgressBar(out.stream);
    bar.update(progress(512, 2048));
    vi.setSystemTime(Date.now() + 1000);
    bar.update(progress(1024, 2048));
    expect(out.written).toEqual([
      `${CLEAR}${cyan(`${'█'.repeat(8)}${'░'.repeat(22)}`)}  25% 512 B/2.0 KB 0 B/s ETA ? files 0/1`,
      `${CLEAR}${cyan(`${'█'.repeat(15)}${'░'.repeat(15)}`)}  50% 1.0 KB/2.0 KB 1.0 KB/s ETA 1s files 0/1`,
    ]);
  });

  test('without colors the bar is plain text', () => {
    process.env.NO_COLOR = '1';
    const out = new FakeStream(true);
    new ProgressBar(out.stream).update(progress(1024, 1024, [1, 1]));
    expect(out.written).toEqual([`${CLEAR}${'█'.repeat(30)} 100% 1.0 KB/1.0 KB 0 B/s ETA ? files 1/1`]);
  });
});

describe('ProgressBar with an unknown size', () => {
  /** Where the four-cell block starts in each line drawn, with the bar's width. */
  const blocks = (written: string[]): Array<{ at: number; width: number }> =>
    written.map((line) => {
      const bar = line.slice(CLEAR.length).replace('\x1b[36m', '').split('\x1b[39m')[0] ?? '';
      return { at: bar.indexOf('████'), width: bar.length };
    });

  test('a block moves one cell per update to the far end, then comes back to the start', () => {
    const out = new FakeStream(true);
    const bar = new ProgressBar(out.stream);
    vi.setSystemTime(Date.now() + 10_000);
    for (let n = 0; n < 53; n++) bar.update(progress(5120, null));
    const there = Array.from({ length: 27 }, (_, k) => k); // 0 … 26: a 30-cell bar less the block
    const back = there.slice(0, -1).reverse(); // 25 … 0
    expect(blocks(out.written)).toEqual([...there, ...back].map((at) => ({ at, width: 30 })));
    // No percentage and no ETA: the bytes and the rate only.
    expect(out.written[0]).toBe(`${CLEAR}${cyan(`████${'░'.repeat(26)}`)} 5.0 KB 512 B/s files 0/1`);
  });

  test('a total of 0 is drawn as unknown too', () => {
    const out = new FakeStream(true);
    const bar = new ProgressBar(out.stream);
    bar.update(progress(0, 0));
    bar.update(progress(0, 0));
    expect(blocks(out.written).map((b) => b.at)).toEqual([0, 1]);
    expect(out.written.join('')).not.toContain('%');
  });
});

describe('ProgressBar off a terminal, and done()', () => {
  test('nothing is drawn on a stream that is not a terminal, or when disabled', () => {
    const pipe = new FakeStream(false);
    const offPipe = new ProgressBar(pipe.stream);
    offPipe.update(progress(10, 100));
    offPipe.done();
    const tty = new FakeStream(true);
    const disabled = new ProgressBar(tty.stream, false);
    disabled.update(progress(10, null));
    disabled.done();
    expect(pipe.written).toEqual([]);
    expect(tty.written).toEqual([]);
  });

  test('done() ends the line once after a draw, and writes nothing otherwise', () => {
    const out = new FakeStream(true);
    const bar = new ProgressBar(out.stream);
    bar.done();
    expect(out.written).toEqual([]);
    bar.update(progress(10, 100));
    bar.done();
    bar.done();
    expect(out.written.slice(1)).toEqual(['\n']);
    bar.update(progress(20, 100));
    bar.done();
    expect(out.written.slice(2)).toEqual([`${CLEAR}${cyan(`${'█'.repeat(6)}${'░'.repeat(24)}`)}  20% 20 B/100 B 0 B/s ETA ? files 0/1`, '\n']);
  });
});
