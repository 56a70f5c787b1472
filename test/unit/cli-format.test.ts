// Human output rules of the CLI that need no BITS: colors only on a terminal and
// never with NO_COLOR, sizes, tables that ignore color codes, every command's help.
import { afterEach, describe, expect, test } from 'vitest';

import { bytes, colorEnabled, duration, fitPair, middle, outputWidth, paint, stateColor, table } from '../../lib/cli/format.js';
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

  test('durations of an hour or more are hours and minutes, the seconds dropped', () => {
    expect(duration(3599.4)).toBe('59m59s');
    expect(duration(3599.6)).toBe('1h00m'); // rounded to the second first
    expect(duration(3 * 3600 + 5 * 60 + 59)).toBe('3h05m');
    expect(duration(50 * 3600)).toBe('50h00m');
  });

  test('each job state has its color: final success green, failure red, waiting yellow, the rest cyan', () => {
    Reflect.deleteProperty(process.env, 'NO_COLOR');
    process.env.TERM = 'xterm';
    const painted = (state: string): string => paint(tty, stateColor(state), state);
    expect(['transferred', 'acknowledged'].map(painted)).toEqual(['\x1b[32mtransferred\x1b[39m', '\x1b[32macknowledged\x1b[39m']);
    expect(['error', 'cancelled'].map(painted)).toEqual(['\x1b[31merror\x1b[39m', '\x1b[31mcancelled\x1b[39m']);
    expect(['transient-error', 'suspended'].map(painted)).toEqual(['\x1b[33mtransient-error\x1b[39m', '\x1b[33msuspended\x1b[39m']);
    expect(['queued', 'connecting', 'transferring'].map(painted)).toEqual(['\x1b[36mqueued\x1b[39m', '\x1b[36mconnecting\x1b[39m', '\x1b[36mtransferring\x1b[39m']);
    expect(paint(file, stateColor('transferring'), 'transferring')).toBe('transferring');
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

  test('names are shortened in the middle to fit a width, and left alone when they fit', () => {
    expect(middle('C:\\Users\\someone\\Downloads\\setup.exe', 20)).toBe('C:\\Users\\s…setup.exe');
    expect(middle('C:\\Users\\someone\\Downloads\\setup.exe', 20)).toHaveLength(20);
    expect(middle('short', 20)).toBe('short');
  });

  test('a table fits the terminal by shortening the columns it may shrink, in order; off a terminal nothing is cut', () => {
    const id = '{6BA7B810-9DAD-11D1-80B4-00C04FD430C8}';
    const rows = [[id, 'transferring', 'download', `${'x'.repeat(60)}.iso`]];
    const wide = table(rows, ['ID', 'STATE', 'TYPE', 'NAME']);
    expect(wide).toContain(`${'x'.repeat(60)}.iso`);
    const fitted = table(rows, ['ID', 'STATE', 'TYPE', 'NAME'], { maxWidth: 79, shrink: [3, 0] });
    for (const line of fitted.split('\n')) expect(line.length).toBeLessThanOrEqual(79);
    expect(fitted).toContain(id); // the name gave way first, and that was enough
    expect(fitted).toMatch(/x…x+\.iso/);
    expect(outputWidth({ isTTY: true, columns: 80 } as unknown as NodeJS.WriteStream)).toBe(79);
    expect(outputWidth({ isTTY: false, columns: 80 } as unknown as NodeJS.WriteStream)).toBeUndefined();
  });

  test('a colored table leaves room for its color codes (a console that counts them still gets whole lines)', () => {
    const id = '{6BA7B810-9DAD-11D1-80B4-00C04FD430C8}';
    const colored = '\x1b[32macknowledged\x1b[39m';
    const fitted = table([[id, colored, 'download', 'n'.repeat(40)]], ['ID', 'STATE', 'TYPE', 'NAME'], { maxWidth: 79, shrink: [3, 0] });
    for (const line of fitted.split('\n')) expect(line.length).toBeLessThanOrEqual(79); // raw characters, codes included
  });

  test('a URL and a path share the width, each shortened in the middle; nothing is cut off a pipe', () => {
    const url = `http://127.0.0.1:44667/${'d'.repeat(40)}/readme.txt`;
    const local = `Z:\\tmp\\windows-bits-demo-zWK0su\\${'e'.repeat(30)}\\readme.txt`;
    const line = fitPair('  ', url, ' -> ', local, '  87.9 KB/87.9 KB', 79);
    expect(line.length).toBe(79);
    expect(line).toMatch(/^ {2}http:\/\/127\.0\.0.*….*readme\.txt -> Z:\\tmp.*….*readme\.txt {2}87\.9 KB\/87\.9 KB$/);
    expect(fitPair('  ', url, ' -> ', local, '', undefined)).toBe(`  ${url} -> ${local}`);
  });
});

