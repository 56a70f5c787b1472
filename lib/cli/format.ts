// Human output: sizes, durations, colors (only on a TTY, never with NO_COLOR),
// and tables.
type Style = 'red' | 'green' | 'yellow' | 'cyan' | 'gray' | 'bold' | 'dim';

// SGR codes written directly: util.styleText decides on its own, differently
// across Node versions, and the decision here is ours (TTY, NO_COLOR, TERM).
const SGR: Record<Style, [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  gray: [90, 39],
  bold: [1, 22],
  dim: [2, 22],
};

export function colorEnabled(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

export function paint(stream: NodeJS.WriteStream, style: Style, text: string): string {
  const [on, off] = SGR[style];
  return colorEnabled(stream) ? `\x1b[${on}m${text}\x1b[${off}m` : text;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];
export function bytes(n: number | null): string {
  if (n === null) return '?';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? String(v) : v.toFixed(1)} ${UNITS[u] ?? 'B'}`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function stateColor(state: string): Style {
  if (state === 'transferred' || state === 'acknowledged') return 'green';
  if (state === 'error' || state === 'cancelled') return 'red';
  if (state === 'transient-error' || state === 'suspended') return 'yellow';
  return 'cyan';
}

// eslint-disable-next-line no-control-regex -- ANSI color codes are what it removes
const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (s: string): number => s.replace(ANSI, '').length;

/** Left-aligned columns, as wide as their widest cell (colors take no width). */
export function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => visible(r[i] ?? ''))));
  const pad = (c: string, w: number): string => c + ' '.repeat(Math.max(0, w - visible(c)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ')).join('\n');
}
