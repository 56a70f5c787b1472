// Human output rules of the CLI that need no BITS: colors only on a terminal and
// never with NO_COLOR, sizes, tables that ignore color codes, every command's help.
import { afterEach, describe, expect, test } from 'vitest';

import { bytes, colorEnabled, duration, paint, table } from '../../lib/cli/format.js';
import { program } from '../../lib/cli/main.js';

// Only isTTY is read.
const tty = { isTTY: true } as unknown as NodeJS.WriteStream;
const file = { isTTY: false } as unknown as NodeJS.WriteStream;
const saved = { NO_COLOR: process.env.NO_COLOR, TERM: process.env.TERM };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) Reflect.deleteProperty(process.env, k);
    else process.env[k] = v;
  }
});

describe('CLI output', () => {
  test('colors only on a terminal, and never with NO_COLOR', () => {
    Reflect.deleteProperty(process.env, 'NO_COLOR');
    process.env.TERM = 'xterm';
    expect(colorEnabled(tty)).toBe(true);
    expect(paint(tty, 'red', 'x')).not.toBe('x');
    expect(colorEnabled(file)).toBe(false);
    expect(paint(file, 'red', 'x')).toBe('x');
    process.env.NO_COLOR = '';
    expect(colorEnabled(tty)).toBe(false);
  });

  test('sizes and durations', () => {
    expect(bytes(null)).toBe('?');
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536)).toBe('1.5 KB');
    expect(bytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(duration(59)).toBe('59s');
    expect(duration(61)).toBe('1m01s');
    expect(duration(Infinity)).toBe('?');
  });

  test('tables align on the visible text, whatever the colors', () => {
    const colored = '\u001b[32mok\u001b[39m';
    const lines = table([[colored, 'x'], ['longer', 'y']], ['A', 'B']).split('\n');
    const plain = (l: string): string => l.split('\u001b[32m').join('').split('\u001b[39m').join('');
    expect(lines.map((l) => plain(l).indexOf(l.endsWith('B') ? 'B' : l.endsWith('x') ? 'x' : 'y'))).toEqual([8, 8, 8]);
  });

  test('every command has help with an example', () => {
    const bits = program(() => Promise.resolve());
    for (const c of bits.commands) {
      let help = '';
      c.configureOutput({ writeOut: (s) => (help += s) });
      c.outputHelp();
      expect(help, c.name()).toMatch(/Examples?:/);
    }
  });
});
